"""Target lookup (SPEC §4.2) and the ``allowed_targets`` policy (SPEC §4.7)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
import sample_targets as st

from instantiate import (
    Config,
    ConfigError,
    TargetError,
    allowed_targets,
    instantiate,
    register,
)

ModuleMaker = Callable[..., str]


@pytest.fixture
def make_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[ModuleMaker]:
    """Write modules into a temp dir on sys.path; names are unique per test and forgotten after it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []
    prefix = "tmpmod_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:60]

    def make(name: str, source: str) -> str:
        """``name`` like ``spy`` or ``pkg/__init__``; returns the importable top-level name."""
        full = f"{prefix}_{name}"
        path = tmp_path / f"{full}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).replace("MARKER_DIR", repr(str(tmp_path))))
        made.append(full.split("/")[0])
        return full.split("/")[0]

    yield make
    for name in list(sys.modules):
        if any(name == top or name.startswith(top + ".") for top in made):
            del sys.modules[name]


def marker(tmp_path: Path, name: str) -> Path:
    return tmp_path / f"{name}.imported"


SPY = """
    import pathlib
    pathlib.Path(MARKER_DIR, __name__ + ".imported").write_text("yes")

    class Thing:
        def __init__(self, value=0):
            self.value = value
"""


def build(target: Any, **kwargs: Any) -> Any:
    return instantiate({"_target_": target, **kwargs})


# -- lookup order -------------------------------------------------------------------------------
def test_registry_name_comes_before_a_dotted_path() -> None:
    register("sample_targets.Point", st.Linear)
    assert build("sample_targets.Point", in_features=1, out_features=2) == st.Linear(1, 2)


@pytest.mark.parametrize(
    ("target", "kwargs", "expected"),
    [
        ("sample_targets:Point", {"x": 1}, st.Point(1)),
        ("sample_targets:Outer.Inner", {"value": 2}, st.Outer.Inner(2)),
        ("sample_targets:Model.from_pretrained", {"name": "m"}, st.Model("pretrained-m", 2)),
        ("sample_targets.Outer.Inner", {"value": 3}, st.Outer.Inner(3)),
        ("sample_targets.Outer.Inner.Deepest", {}, st.Outer.Inner.Deepest()),
        ("sample_targets.Model.from_pretrained", {"name": "m", "layers": 5}, st.Model("pretrained-m", 5)),
        ("sample_targets.Model.default_name", {}, "default"),
        ("builtins.dict", {"a": 1}, {"a": 1}),
        ("builtins.len", {"_args_": [[1, 2]]}, 2),
        ("os.path.join", {"_args_": ["a", "b"]}, os.path.join("a", "b")),
        ("os.path:join", {"_args_": ["a", "b"]}, os.path.join("a", "b")),
        ("collections.OrderedDict", {"a": 1}, {"a": 1}),
        ("  sample_targets.Point  ", {}, st.Point()),
    ],
)
def test_module_qualname_and_dotted_paths(target: str, kwargs: dict[str, Any], expected: Any) -> None:
    assert build(target, **kwargs) == expected


def test_registered_name_with_a_colon_comes_before_module_qualname() -> None:
    register("sample_targets:Point", st.ReLU)
    assert build("sample_targets:Point") == st.ReLU()


def test_dotted_path_imports_a_submodule_that_its_package_does_not(make_module: ModuleMaker) -> None:
    pkg = make_module("pkg/__init__", "")
    make_module("pkg/sub", "class Thing:\n    pass\n")
    assert f"{pkg}.sub" not in sys.modules
    assert type(build(f"{pkg}.sub.Thing")).__name__ == "Thing"
    assert type(build(f"{pkg}.sub:Thing")).__name__ == "Thing"


def test_live_callables_from_code() -> None:
    assert build(st.Point, x=1) == st.Point(1)
    assert build(st.add, a=1, b=2) == 3


def test_live_callable_without_hash() -> None:
    class Factory:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self, value: int) -> int:
            return value * 2

    assert build(Factory(), value=4) == 8


def test_interpolated_target() -> None:
    cfg = Config({"kind": "sample_targets.Point", "node": {"_target_": "$<kind>", "x": 2}})
    assert instantiate(cfg.node) == st.Point(2)


# -- not found ----------------------------------------------------------------------------------
def test_unknown_module_says_what_was_tried_and_the_closest_registered_name() -> None:
    register("resnet18", st.Model)
    with pytest.raises(TargetError) as info:
        build("resnet19")
    message = str(info.value)
    assert "registered name" in message and "plugin" in message and "no module 'resnet19'" in message
    assert "Did you mean 'resnet18'?" in message
    assert info.value.path == "_target_"


def test_unknown_attribute_names_the_closest() -> None:
    with pytest.raises(
        TargetError, match=r"sample_targets has no attribute 'Wraper'\. Did you mean 'Wrapper'\?"
    ):
        build("sample_targets.Wraper")
    with pytest.raises(
        TargetError, match=r"sample_targets\.Outer has no attribute 'Iner'\. Did you mean 'Inner'\?"
    ):
        build("sample_targets.Outer.Iner")
    with pytest.raises(TargetError, match="Did you mean 'Point'"):
        build("sample_targets:Pont")


def test_unknown_submodule_of_a_package() -> None:
    with pytest.raises(TargetError, match="os has no attribute 'nosuchthing'"):
        build("os.nosuchthing.Thing")


def test_module_that_fails_to_import_shows_its_own_error(make_module: ModuleMaker) -> None:
    name = make_module("broken", "x = 1\nraise RuntimeError('broken on purpose')\n")
    for target in (f"{name}.Thing", f"{name}:Thing"):
        with pytest.raises(TargetError) as info:
            build(target)
        assert "RuntimeError: broken on purpose" in str(info.value)
        assert "no module" not in str(info.value)
        assert isinstance(info.value.__cause__, RuntimeError)


def test_module_with_a_missing_dependency_names_the_dependency(make_module: ModuleMaker) -> None:
    name = make_module("needs_dep", "import no_such_dependency_xyz\n")
    with pytest.raises(TargetError) as info:
        build(f"{name}.Thing")
    message = str(info.value)
    assert "no_such_dependency_xyz" in message and f"importing module {name!r} failed" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_submodule_that_fails_to_import_shows_its_own_error(make_module: ModuleMaker) -> None:
    pkg = make_module("pkg/__init__", "")
    make_module("pkg/bad", "raise ImportError('bad submodule')\n")
    with pytest.raises(TargetError, match="ImportError: bad submodule"):
        build(f"{pkg}.bad.Thing")


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("sample_targets", "names a module"),
        ("os.path", "names a module"),
        ("sample_targets:", "names a module"),
        ("sample_targets.NOT_CALLABLE", "int 42, which cannot be called"),
        ("sample_targets:NOT_CALLABLE", "cannot be called"),
        (42, "must be a string"),
        (None, "must be a string"),
        (["sample_targets.Point"], "must be a string"),
        ({"a": 1}, "must be a string"),
        ("", "empty"),
        ("   ", "empty"),
        ("sample_targets..Point", "not a valid dotted path"),
        ("sample_targets.Point.", "not a valid dotted path"),
        (":Point", "module"),
    ],
)
def test_bad_targets(target: Any, fragment: str) -> None:
    with pytest.raises(TargetError, match=fragment) as info:
        instantiate(Config({"node": {"_target_": target}}).node)
    assert info.value.path == "node._target_"
    assert isinstance(info.value, LookupError) and isinstance(info.value, ConfigError)


def test_empty_module_in_module_qualname_is_not_reported_as_an_import_failure() -> None:
    with pytest.raises(TargetError) as info:
        build(":Point")
    assert "failed" not in str(info.value)


def test_lookup_follows_registrations_made_after_a_build() -> None:
    assert build("sample_targets.Point") == st.Point()
    register("sample_targets.Point", st.ReLU)
    assert build("sample_targets.Point") == st.ReLU()
    register("sample_targets.Point", st.Outer.Inner, replace=True)
    assert build("sample_targets.Point") == st.Outer.Inner()


# -- §4.7 allowed_targets -----------------------------------------------------------------------
ALLOWED = ("torch.nn.*", "sample_targets.*")


def test_allowed_targets_build_as_usual() -> None:
    with allowed_targets(*ALLOWED):
        assert build("sample_targets.Point", x=1) == st.Point(1)
        assert build("sample_targets:Outer.Inner") == st.Outer.Inner()
        assert type(build("torch.nn.Linear", in_features=1, out_features=1)).__name__ == "Linear"


def test_everything_is_allowed_without_a_policy_and_after_the_block() -> None:
    with allowed_targets("torch.nn.*"), pytest.raises(TargetError):
        build("sample_targets.Point")
    assert build("sample_targets.Point") == st.Point()


@pytest.mark.parametrize(
    "target",
    [
        "os.system",
        "posix.system",
        "builtins.eval",
        "builtins.exec",
        "subprocess.Popen",
        "logging.os.system",
        "importlib.import_module",
        "sample_targets.os.system",
        "os:system",
        "posix:system",
        "builtins:eval",
        "subprocess:Popen",
        "sample_targets:os.system",
        "logging:os.system",
        "torch.load",
        "torch.nn.modules.module.torch.load",
    ],
)
def test_attack_paths_are_refused(target: str, tmp_path: Path) -> None:
    victim = tmp_path / "pwned"
    command = f"touch {victim}"
    with allowed_targets(*ALLOWED), pytest.raises(TargetError, match="not allowed") as info:
        instantiate(Config({"evil": {"_target_": target, "_args_": [command]}}).evil)
    assert not victim.exists()
    assert info.value.path == "evil._target_"
    assert "torch.nn.*" in str(info.value) and "sample_targets.*" in str(info.value)


@pytest.mark.parametrize("target", ["logging.os.system", "logging:os.system"])
def test_alias_is_judged_by_its_real_name(target: str, tmp_path: Path) -> None:
    victim = tmp_path / "pwned"
    with allowed_targets("logging.*"), pytest.raises(TargetError) as info:
        build(target, _args_=[f"touch {victim}"])
    assert "really posix.system" in str(info.value)
    assert not victim.exists()


def test_allowed_module_re_exporting_a_dangerous_name_is_refused() -> None:
    with allowed_targets("sample_targets.*"), pytest.raises(TargetError, match=r"really posix\.system"):
        build("sample_targets.os.system", _args_=["true"])


@pytest.mark.parametrize("form", ["{name}.Thing", "{name}:Thing"])
def test_refused_before_the_module_is_imported(form: str, make_module: ModuleMaker, tmp_path: Path) -> None:
    name = make_module("spy", SPY)
    with allowed_targets(*ALLOWED), pytest.raises(TargetError, match="was not imported"):
        build(form.format(name=name))
    assert name not in sys.modules
    assert not marker(tmp_path, name).exists()
    assert build(form.format(name=name), value=1).value == 1  # the module is fine: it was only refused
    assert marker(tmp_path, name).exists()


def test_refused_submodule_of_an_allowed_package_is_not_imported(
    make_module: ModuleMaker, tmp_path: Path
) -> None:
    pkg = make_module("pkg/__init__", "")
    make_module("pkg/good", SPY)
    make_module("pkg/evil", SPY)
    with allowed_targets(f"{pkg}.good.*"):
        assert build(f"{pkg}.good.Thing").value == 0
        with pytest.raises(TargetError):
            build(f"{pkg}.evil.Thing")
    assert f"{pkg}.evil" not in sys.modules
    assert not marker(tmp_path, f"{pkg}.evil").exists()


def test_refused_lazy_submodule_of_an_allowed_package_is_not_imported(
    make_module: ModuleMaker, tmp_path: Path
) -> None:
    # Packages such as torch import submodules on attribute access (a module __getattr__):
    # looking the attribute up would import a module the policy refuses.
    pkg = make_module(
        "lazypkg/__init__",
        """
        import importlib

        def __getattr__(name):
            if name in ("good", "evil"):
                return importlib.import_module(f"{__name__}.{name}")
            raise AttributeError(name)
        """,
    )
    make_module("lazypkg/good", SPY)
    make_module("lazypkg/evil", SPY)
    with allowed_targets(f"{pkg}.good.*"):
        assert build(f"{pkg}.good.Thing").value == 0
        for target in (f"{pkg}.evil.Thing", f"{pkg}:evil.Thing"):
            with pytest.raises(TargetError):
                build(target)
    assert f"{pkg}.evil" not in sys.modules
    assert not marker(tmp_path, f"{pkg}.evil").exists()


def test_target_built_before_is_still_refused_under_a_policy() -> None:
    assert build("sample_targets.Counted").name == ""  # now cached
    with allowed_targets("torch.nn.*"), pytest.raises(TargetError, match="not allowed"):
        build("sample_targets.Counted")


def test_exact_pattern_allows_just_that_target() -> None:
    with allowed_targets("sample_targets.Point"):
        assert build("sample_targets.Point") == st.Point()
        with pytest.raises(TargetError):
            build("sample_targets.Linear", in_features=1, out_features=1)


def test_nested_policies_narrow_each_other() -> None:
    with allowed_targets("sample_targets.*"):
        with allowed_targets("sample_targets.Point", "torch.nn.*"):
            assert build("sample_targets.Point") == st.Point()
            with pytest.raises(
                TargetError, match=r"sample_targets\.Point, torch\.nn\.\* and sample_targets\.\*"
            ):
                build("sample_targets.ReLU")  # allowed outside, not inside
            with pytest.raises(TargetError):
                build("torch.nn.ReLU")  # allowed inside, not outside: an inner block cannot widen
        assert build("sample_targets.ReLU") == st.ReLU()  # the outer policy is back
        with pytest.raises(TargetError):
            build("torch.nn.ReLU")


def test_policy_applies_to_nested_shared_partial_and_interpolated_targets() -> None:
    cases = [
        {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Counted"}},
        {"_target_": "sample_targets.Holder", "_args_": [[{"_target_": "sample_targets.Counted"}]]},
        {"_target_": "sample_targets.Counted", "_partial_": True},
        {"_target_": "sample_targets.Counted", "_lazy_": True},
        {"_target_": "$<kind>"},
        {"_target_": "sample_targets.Wrapper", "inner": "$<@other>"},
        {"_target_": st.Counted},
    ]
    before = st.Counted.count
    for case in cases:
        cfg = Config(
            {"kind": "sample_targets.Counted", "other": {"_target_": "sample_targets.Counted"}, "node": case}
        )
        with allowed_targets("sample_targets.Wrapper", "sample_targets.Holder"), pytest.raises(TargetError):
            instantiate(cfg.node)
    assert st.Counted.count == before


def test_policy_applies_to_call_time_targets() -> None:
    with (
        allowed_targets("sample_targets.*"),
        pytest.raises(TargetError, match=r"posix\.system is not allowed"),
    ):
        instantiate({"_target_": "sample_targets.identity"}, _target_=os.system, _args_=["true"])
    with allowed_targets("sample_targets.*"), pytest.raises(TargetError):
        instantiate({"_target_": "sample_targets.identity"}, _target_="os.system", _args_=["true"])


def test_lazy_node_keeps_the_policy_of_its_build() -> None:
    before = st.Counted.count
    with allowed_targets("sample_targets.Wrapper"):
        proxy = build("sample_targets.Wrapper", _lazy_=True, inner={"_target_": "sample_targets.Counted"})
    with pytest.raises(TargetError):
        proxy.inner  # noqa: B018  (first use builds, after the block has ended)
    assert st.Counted.count == before


def test_registered_names_are_matched_by_name_or_real_name() -> None:
    register("point", st.Point)
    register("danger", os.system)
    with allowed_targets("point"):
        assert build("point", x=1) == st.Point(1)
        with pytest.raises(TargetError):
            build("sample_targets.Linear", in_features=1, out_features=1)
    with allowed_targets("sample_targets.*"):
        assert build("point", x=2) == st.Point(2)  # by its real sample_targets.Point
        with pytest.raises(TargetError, match=r"danger \(really posix\.system\)"):
            build("danger", _args_=["true"])
    with allowed_targets("torch.nn.*"), pytest.raises(TargetError):
        build("point")


def test_module_qualname_form_is_judged_by_its_real_name() -> None:
    with allowed_targets("sample_targets.Outer.*"):
        assert build("sample_targets:Outer.Inner") == st.Outer.Inner()
        with pytest.raises(TargetError):
            build("sample_targets:Point")


def test_allow_parameter_narrows_the_policy_in_force() -> None:
    # The seam that Recipe(allow=...) and main(allow=...) use (SPEC 4.7).
    from instantiate._build.api import instantiate_with

    cfg = {"_target_": "sample_targets.Wrapper", "inner": {"_target_": "sample_targets.Point"}}
    assert instantiate_with(cfg, allow=["sample_targets.*"]) == st.Wrapper(st.Point())
    with pytest.raises(TargetError):
        instantiate_with(cfg, allow="sample_targets.Wrapper")
    with allowed_targets("sample_targets.Point"), pytest.raises(TargetError):
        instantiate_with(cfg, allow=["sample_targets.*"])  # allow= cannot widen a policy in force


def test_own_registry_build_is_judged_by_the_policy() -> None:
    from instantiate import Registry

    models = Registry("models")
    models.register("shell", os.system)
    models.register("point", st.Point)
    with allowed_targets("sample_targets.*"):
        assert models.build({"_target_": "point"}) == st.Point()
        with pytest.raises(TargetError, match=r"really posix\.system"):
            models.build({"_target_": "shell", "_args_": ["true"]})


@pytest.mark.parametrize("bad", ["", 5, None])
def test_bad_patterns(bad: Any) -> None:
    with pytest.raises(TargetError, match="pattern"), allowed_targets(bad):
        pass


def test_no_pattern_allows_nothing() -> None:
    with allowed_targets(), pytest.raises(TargetError):
        build("sample_targets.Point")


def test_refused_lazy_torch_submodule_is_not_imported() -> None:
    # torch imports torch._inductor on first attribute access; a fresh interpreter shows it stays out.
    code = (
        "import sys, torch\n"
        "from instantiate import TargetError, allowed_targets, instantiate\n"
        "assert 'torch._inductor' not in sys.modules\n"
        "with allowed_targets('torch.nn.*'):\n"
        "    try:\n"
        "        instantiate({'_target_': 'torch._inductor.config.Anything'})\n"
        "    except TargetError:\n"
        "        pass\n"
        "print('torch._inductor' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]
