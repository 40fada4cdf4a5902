"""check: every problem building a config would meet, with path and file:line, building nothing."""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from instantiate import Config, allowed_targets, compose, load, register
from instantiate._tools.check import Checker, Problem, as_in_a_run, check_config

_numbers = itertools.count()

LAYERS = '''
import enum
from typing import Literal, Optional


class Mode(enum.Enum):
    train = 1
    eval = 2


class Module:
    """Something with layers."""


class Linear(Module):
    """A linear layer."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        self.in_features, self.out_features = in_features, out_features


class Block(Module):
    def __init__(self, parent: object = None) -> None:
        self.parent = parent


class Sequential(Module):
    def __init__(self, *layers: Module) -> None:
        self.layers = layers


class Optimizer:
    def __init__(self, params: object, lr: float = 0.1) -> None:
        self.params = params


class Scheduler:
    def __init__(self, optimizer: Optimizer, step: int = 1) -> None:
        self.optimizer = optimizer


class Trainer:
    def __init__(
        self,
        model: Module,
        mode: Mode = Mode.train,
        precision: Literal["32", "16"] = "32",
        devices: Optional[list[int]] = None,
        name: str = "run",
    ) -> None:
        self.model = model


def loader(*, batch_size: int, path: str) -> dict:
    return {"batch_size": batch_size, "path": path}


def keywords(x: int, **rest: float) -> dict:
    return {"x": x, **rest}
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], str]]:
    """Write a module with a fresh name into tmp_path; returns that name. Forgotten afterwards."""
    made: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(stem: str, source: str) -> str:
        name = f"{stem}_{next(_numbers)}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        made.append(name)
        return name

    yield make
    for name in made:
        sys.modules.pop(name, None)


@pytest.fixture
def layers(module: Callable[[str, str], str]) -> str:
    return module("layers", LAYERS)


def write(tmp_path: Path, text: str, name: str = "conf.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return str(path)


def check_file(path: str, **options: object) -> list[Problem]:
    return check_config(load(path), **options)  # type: ignore[arg-type]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# -- the twelve and more broken cases, each at its path and line -------------------------------
def test_unknown_target_module(tmp_path: Path) -> None:
    path = write(tmp_path, "model:\n  _target_: no_such_module_xyz.Model\n")
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("model._target_", f"{path}:2")
    assert "there is no module 'no_such_module_xyz'" in problem.message


def test_unknown_attribute_names_the_closest(tmp_path: Path, layers: str) -> None:
    path = write(tmp_path, f"model:\n  _target_: {layers}.Linaer\n  in_features: 1\n")
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("model._target_", f"{path}:2")
    assert f"{layers} has no attribute 'Linaer'. Did you mean 'Linear'?" in problem.message


def test_a_module_that_raises_on_import_shows_its_own_error(
    tmp_path: Path, module: Callable[[str, str], str]
) -> None:
    broken = module("broken", "raise RuntimeError('the database is not reachable')\n")
    path = write(tmp_path, f"data:\n  source:\n    _target_: {broken}.Reader\n")
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("data.source._target_", f"{path}:3")
    assert (
        f"importing module {broken!r} failed: RuntimeError: the database is not reachable" in problem.message
    )


def test_a_misspelled_keyword_names_the_closest(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        model:
          _target_: {layers}.Linear
          in_features: 4
          out_featurs: 2
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("model", f"{path}:1"),
        ("model.out_featurs", f"{path}:4"),
    ]
    assert "missing the required argument 'out_features'" in problems[0].message
    assert "unexpected keyword 'out_featurs'. Did you mean 'out_features'?" in problems[1].message
    assert problems[1].message.startswith(f"{layers}.Linear got")


def test_every_missing_required_argument(tmp_path: Path, layers: str) -> None:
    path = write(tmp_path, f"head:\n  _target_: {layers}.Linear\n")
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [("head", f"{path}:1")] * 2
    assert ["'in_features'" in problems[0].message, "'out_features'" in problems[1].message] == [True, True]


def test_too_many_positionals(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        head:
          _target_: {layers}.Linear
          _args_: [1, 2, true, 4]
        """,
    )
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("head._args_", f"{path}:3")
    assert "takes at most 3 positional arguments (in_features, out_features, bias) but _args_ gives 4" in (
        problem.message
    )


def test_an_argument_given_twice(tmp_path: Path, layers: str) -> None:
    path = write(tmp_path, f"head:\n  _target_: {layers}.Linear\n  _args_: [1, 2]\n  in_features: 3\n")
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("head.in_features", f"{path}:4")
    assert "gets 'in_features' twice" in problem.message


def test_a_float_where_the_signature_says_int(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        model:
          _target_: {layers}.Linear
          in_features: 0.5
          out_features: 2
        """,
    )
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("model.in_features", f"{path}:3")
    assert (
        problem.message
        == f"expected an int, got 0.5 (a float) for parameter 'in_features' of {layers}.Linear"
    )


def test_a_string_that_cannot_convert(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        model:
          _target_: {layers}.Linear
          in_features: "8"      # converts, as the builder's checks would
          out_features: eight
          bias: maybe
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("model.out_features", f"{path}:4"),
        ("model.bias", f"{path}:5"),
    ]
    assert "expected an int, got 'eight' (a str)" in problems[0].message
    assert "expected a bool, got 'maybe' (a str)" in problems[1].message


def test_an_interpolation_to_a_missing_key(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        data:
          features: 8
        model:
          _target_: {layers}.Linear
          in_features: $<data.featurs>
          out_features: 2
        """,
    )
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("model.in_features", f"{path}:5")
    assert "data has no key 'featurs'. Did you mean 'features'?" in problem.message


def test_an_interpolation_cycle_is_listed_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a: $<b>\nb: $<c>\nc: $<a>\nd: $<a>\n")
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("a", f"{path}:1")
    assert problem.message == "interpolation cycle: a -> b -> c -> a"


def test_a_built_reference_to_a_node_without_target(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        data:
          features: 8
        optimizer:
          _target_: {layers}.Optimizer
          params: $<@data:parameters()>
        """,
    )
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("optimizer.params", f"{path}:5")
    assert "$<@data:parameters()> refers to data, which has no _target_ to build" in problem.message


def test_a_cycle_of_built_references(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        optimizer:
          _target_: {layers}.Optimizer
          params: $<@scheduler:optimizer>
        scheduler:
          _target_: {layers}.Scheduler
          optimizer: $<@optimizer>
        """,
    )
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("optimizer", f"{path}:1")
    assert problem.message == (
        "these nodes need each other to be built first: optimizer -> scheduler "
        "($<@scheduler:optimizer> at optimizer.params) -> optimizer ($<@optimizer> at scheduler.optimizer)"
    )


def test_a_node_that_refers_to_the_node_it_sits_in(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        model:
          _target_: {layers}.Sequential
          _args_:
            - _target_: {layers}.Block
              parent: $<@model>
        """,
    )
    problem = only(check_file(path))
    assert (problem.path, problem.source) == ("model", f"{path}:1")
    assert "model -> model._args_[0] (inside model) -> model ($<@model> at model._args_[0].parent)" in (
        problem.message
    )


def test_a_mandatory_value_left_unset(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        data:
          path: ???
          copy: $<data.path>
        model:
          _target_: {layers}.Linear
          in_features: ???
          out_features: 2
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("data.path", f"{path}:2"),
        ("model.in_features", f"{path}:6"),
    ]
    assert problems[0].message.startswith("mandatory value (???) is not set")
    assert check_file(path, allow_missing=True) == []


def test_a_target_refused_by_allow_is_never_imported(
    tmp_path: Path, module: Callable[[str, str], str]
) -> None:
    marker = tmp_path / "imported.txt"
    sneaky = module("sneaky", f"open({str(marker)!r}, 'w').write('imported')\ndef run(): pass\n")
    path = write(tmp_path, f"job:\n  _target_: {sneaky}.run\nok:\n  _target_: builtins.dict\n")
    problem = only(check_file(path, allow=["builtins.*"]))
    assert (problem.path, problem.source) == ("job._target_", f"{path}:2")
    assert f"module {sneaky!r} is outside the allowed patterns, so it was not imported" in problem.message
    assert not marker.exists()
    assert sneaky not in sys.modules
    with allowed_targets("builtins.*"):  # the policy in force applies too
        assert [p.path for p in check_config(load(path))] == ["job._target_"]
    assert not marker.exists()


def test_several_problems_are_all_listed_in_config_order(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        data:
          features: 8
          classes: ???
        model:
          _target_: {layers}.Sequential
          _args_:
            - _target_: {layers}.Linear
              in_features: $<data.featurs>
              out_featurs: 64
            - _target_: {layers}.Linaer
            - _target_: {layers}.Linear
              in_features: 64
              out_features: 0.5
        optimizer:
          _target_: {layers}.Optimizer
          params: $<@model:parameters()>
          lr: fast
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("data.classes", f"{path}:3"),
        ("model._args_[0]", f"{path}:7"),
        ("model._args_[0].in_features", f"{path}:8"),
        ("model._args_[0].out_featurs", f"{path}:9"),
        ("model._args_[1]._target_", f"{path}:10"),
        ("model._args_[2].out_features", f"{path}:13"),
        ("optimizer.lr", f"{path}:17"),
    ]
    assert str(problems[0]) == (
        f"data.classes ({path}:3): mandatory value (???) is not set; set it in the config or override it: "
        "data.classes=..."
    )


# -- what is checked and what is not ------------------------------------------------------------
def test_a_clean_config_counts_targets_and_values(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        data: {{features: 8, classes: 3}}
        model:
          _target_: {layers}.Sequential
          _args_:
            - _target_: {layers}.Linear
              in_features: $<data.features>
              out_features: 64
            - _target_: {layers}.Linear
              in_features: $<..[0].out_features>
              out_features: $<data.classes>
        optimizer:
          _target_: {layers}.Optimizer
          params: $<@model:parameters()>
        scheduler:
          _target_: {layers}.Scheduler
          optimizer: $<@optimizer>
        """,
    )
    checker = Checker(load(path))
    assert checker.check() == []
    assert (checker.targets, checker.values) == (5, 8)


def test_check_builds_nothing(tmp_path: Path, module: Callable[[str, str], str]) -> None:
    written = tmp_path / "built.txt"
    counting = module(
        "counting",
        """
        CALLS = []

        class Writer:
            def __init__(self, path: str, size: int = 1) -> None:
                CALLS.append(path)
                with open(path, "w") as file:
                    file.write("built")

            def handle(self):
                CALLS.append("handle")

        def factory(n: int):
            CALLS.append(n)
            return n
        """,
    )
    path = write(
        tmp_path,
        f"""
        writer:
          _target_: {counting}.Writer
          path: {written}
        user:
          _target_: {counting}.factory
          n: $<@writer:handle()>
        later:
          _target_: {counting}.Writer
          _lazy_: true
          path: {written}
        partial:
          _target_: {counting}.factory
          _partial_: true
        """,
    )
    assert check_file(path) == []
    assert sys.modules[counting].CALLS == []
    assert not written.exists()


def test_built_types_are_checked_where_the_node_names_a_class(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        model:
          _target_: {layers}.Linear
          _args_: [1, 2]
        scheduler:
          _target_: {layers}.Scheduler
          optimizer: $<@model>
        trainer:
          _target_: {layers}.Trainer
          model:
            _target_: {layers}.Optimizer
            params: []
        fine:
          _target_: {layers}.Trainer
          model: $<@model>
        unknown:
          _target_: {layers}.Trainer
          model:
            _target_: {layers}.loader
            batch_size: 1
            path: x
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("scheduler.optimizer", f"{path}:6"),
        ("trainer.model", f"{path}:9"),
    ]
    assert problems[0].message == (
        f"expected an Optimizer, got a {layers}.Linear (built from model) for parameter 'optimizer' "
        f"of {layers}.Scheduler"
    )
    assert f"got a {layers}.Optimizer (built from trainer.model)" in problems[1].message


def test_annotations_beyond_scalars(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        bad:
          _target_: {layers}.Trainer
          model: {{_target_: {layers}.Module}}
          mode: test
          precision: "64"
          devices: [0, one]
        good:
          _target_: {layers}.Trainer
          model: {{_target_: {layers}.Module}}
          mode: eval
          precision: "16"
          devices: null
          name: 3
        """,
    )
    problems = check_file(path)
    assert [p.path for p in problems] == ["bad.mode", "bad.precision", "bad.devices"]
    assert "one of Mode's names (train, eval)" in problems[0].message
    assert "expected one of '32', '16'" in problems[1].message


def test_keyword_only_and_var_keyword_targets(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        loader:
          _target_: {layers}.loader
          _args_: [1]
          batch_size: 2
        extra:
          _target_: {layers}.keywords
          x: 1
          anything: 2.5
          typed: not-a-float
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("loader", f"{path}:1"),
        ("loader._args_", f"{path}:3"),
        ("extra.typed", f"{path}:9"),
    ]
    assert "missing the required argument 'path'" in problems[0].message
    assert "takes at most 0 positional arguments" in problems[1].message
    assert "expected a float, got 'not-a-float'" in problems[2].message


def test_partial_nodes_may_leave_arguments_out(tmp_path: Path, layers: str) -> None:
    path = write(tmp_path, f"head:\n  _target_: {layers}.Linear\n  _partial_: true\n  in_features: 3\n")
    assert check_file(path) == []


def test_special_keys_are_checked_as_the_builder_reads_them(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        head:
          _target_: {layers}.Sequential
          _partial_: yes please
          _convert_: sometimes
          _args_: {{a: 1}}
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("head._partial_", f"{path}:3"),
        ("head._convert_", f"{path}:4"),
        ("head._args_", f"{path}:5"),
    ]
    assert "_args_ must be a list of positional arguments, not a mapping" in problems[2].message


def test_interpolated_targets_and_args_are_resolved_first(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        names: {{layer: {layers}.Linear, bad: {layers}.Nothing}}
        sizes: [1, 2, 3, 4]
        head:
          _target_: $<names.layer>
          _args_: $<sizes>
        other:
          _target_: $<names.bad>
        """,
    )
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [
        ("head._args_", f"{path}:5"),
        ("other._target_", f"{path}:7"),
    ]


def test_registered_names_and_values_read_from_built_objects(tmp_path: Path) -> None:
    @register("make_pair")
    def make_pair(left: int, right: int = 0) -> tuple[int, int]:
        return left, right

    path = write(
        tmp_path,
        """
        pair:
          _target_: make_pair
          left: 1
        other:
          _target_: make_pair
          left: $<@pair:count()>
          right: $<env:NO_SUCH_VARIABLE_FOR_CHECK,3>
        """,
    )
    assert check_file(path) == []


def test_resolver_errors_and_malformed_interpolations(tmp_path: Path) -> None:
    path = write(tmp_path, "a: $<env:NO_SUCH_VARIABLE_FOR_CHECK>\nb: $<evn:HOME>\nc: $<a.b\n")
    problems = check_file(path)
    assert [(p.path, p.source) for p in problems] == [(k, f"{path}:{n}") for n, k in enumerate("abc", 1)]
    assert "environment variable 'NO_SUCH_VARIABLE_FOR_CHECK' is not set" in problems[0].message
    assert "unknown resolver 'evn'. Did you mean 'env'?" in problems[1].message
    assert "malformed interpolation" in problems[2].message and "\n" not in problems[2].message


def test_a_resolver_registered_elsewhere_is_noted_not_failed(tmp_path: Path) -> None:
    """A project's own resolver (registered by code check has not run) cannot be checked statically."""
    path = write(
        tmp_path,
        """
        width: ${times_two:8}
        uses_width: ${width}
        label: run-${git_sha:}-${width}
        """,
    )
    checker = Checker(load(path))
    assert checker.check() == []  # nothing fails: not even the values that refer to one
    notes = [(n.path, n.message) for n in checker.notes]
    assert [p for p, _ in notes] == ["width", "label"]
    assert "'times_two', which is not registered here" in notes[0][1] and "--import" in notes[0][1]
    assert "'git_sha'" in notes[1][1]


def test_a_resolver_registered_with_omegaconf_is_noted(tmp_path: Path) -> None:
    from omegaconf import OmegaConf

    OmegaConf.register_new_resolver("check_test_resolver", lambda x: x, replace=True)
    try:
        checker = Checker(load(write(tmp_path, "a: ${check_test_resolver:1}\n")))
        assert checker.check() == []
        assert "a resolver registered with OmegaConf" in only(checker.notes).message
    finally:
        OmegaConf.clear_resolver("check_test_resolver")


@pytest.mark.parametrize(
    ("written", "meant"),
    [("_taget_", "_target_"), ("_target", "_target_"), ("target_", "_target_"), ("_args", "_args_"),
     ("args_", "_args_"), ("_arg_", "_args_"), ("_partail_", "_partial_"), ("_recursive", "_recursive_"),
     ("_lazy", "_lazy_"), ("_convert", "_convert_")],
)  # fmt: skip
def test_a_near_miss_special_key_is_named(tmp_path: Path, written: str, meant: str) -> None:
    path = write(tmp_path, f"model:\n  {written}: builtins.dict\n")
    problem = only(check_file(path))
    assert (problem.path, problem.source) == (f"model.{written}", f"{path}:2")
    assert problem.message == (
        f"{written!r} is not a special key, so this mapping builds a plain dict. Did you mean {meant!r}?"
    )


def test_a_near_miss_special_key_in_a_target_node(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path, f"model:\n  _target_: {layers}.Sequential\n  _args:\n    - _target_: {layers}.Block\n"
    )
    problems = check_file(path)
    assert [str(p) for p in problems] == [
        f"model._args ({path}:3): '_args' is not a special key, so it is passed to {layers}.Sequential "
        "as a keyword. Did you mean '_args_'?"
    ]  # not "unexpected keyword '_args'. Did you mean 'layers'?"


@pytest.mark.parametrize(
    "key", ["_run_", "_self_", "_name_", "_global_", "args", "target", "_type_", "_meta_"]
)
def test_ordinary_keys_are_not_taken_for_special_ones(tmp_path: Path, key: str) -> None:
    assert check_file(write(tmp_path, f"node:\n  {key}: 1\n")) == []


def test_messages_show_no_internal_names(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        model:
          _target_: {layers}.Linear
          in_features: 2
          out_features: 3
        a: $<@model:__iter__()>
        b: $<@model:_private>
        c: ${{oc.decode:${{@model}}}}
        d:
          _target_: {layers}.Trainer
          model: $<@model:parameters()>
          devices: $<@model>
        e: $<run:dir>
        """,
    )
    problems = check_config(as_in_a_run(load(path)))
    text = "\n".join(map(str, problems))
    for internal in ("Unbuilt", "Unknown", "RunValue", "Marked", "<class", "_Slot", "Link"):
        assert internal not in text, text
    assert "$<@model:__iter__()>: '__iter__' is private; a $<@path:...> chain reads public attributes" in text
    assert "'_private' is private" in text


def test_the_hydra_section_is_not_built(tmp_path: Path) -> None:
    path = write(tmp_path, "hydra:\n  launcher:\n    _target_: hydra_plugins.not_installed.Launcher\n")
    assert check_file(path) == []


def test_recursive_false_and_lazy_nodes_do_not_make_false_cycles(tmp_path: Path, layers: str) -> None:
    path = write(
        tmp_path,
        f"""
        outer:
          _target_: {layers}.Sequential
          _recursive_: false
          _args_:
            - _target_: {layers}.Block
              parent: $<@outer>       # passed unbuilt: nothing here is built with outer
        lazy:
          _target_: {layers}.Optimizer
          _lazy_: true
          params: $<@user>
        user:
          _target_: {layers}.Optimizer
          params: $<@lazy>
        """,
    )
    assert check_file(path) == []


def test_a_copy_of_the_node_being_built_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, "box:\n  _target_: builtins.dict\n  inner: $<box>\n")
    problem = only(check_file(path))
    assert "box -> box (copied by $<box> at box.inner)" in problem.message


def test_values_a_run_adds_resolve_in_a_run(tmp_path: Path) -> None:
    write(tmp_path, "out: $<run:dir>/model.pt\nname: $<run:name>\n")
    cfg = compose("conf", config_dir=str(tmp_path))
    assert [p.path for p in check_config(cfg)] == ["out", "name"]  # compose() alone makes no run
    assert check_config(as_in_a_run(cfg)) == []
    assert "dir" not in cfg["_run_"]  # the caller's config is left as it was


def test_a_node_taken_out_of_its_tree_and_plain_data(layers: str) -> None:
    cfg = Config({"data": {"n": 3}, "model": {"_target_": f"{layers}.Linear", "in_features": "$<data.n>"}})
    problem = only(check_config(cfg.model))
    assert (problem.path, problem.source) == ("model", None)
    assert str(problem).startswith(f"model: {layers}.Linear is missing the required argument 'out_features'")
    assert check_config({"_target_": "builtins.dict", "a": 1}) == []


def test_problems_from_errors_keep_one_line() -> None:
    from instantiate import InterpolationError

    error = InterpolationError("first line\n    second", path="a.b", source="f.yaml:3", hint="a hint")
    assert str(Problem.of(error)) == "a.b (f.yaml:3): first line"
