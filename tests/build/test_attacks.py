"""A hostile config, as an attacker would write it, runs nothing the policy does not allow.

Every case uses canary modules (see ``canaries.py``): a module that leaves a file when
imported, a payload that leaves a file when run. Each test asserts the config was refused with
a ``ConfigError`` and that nothing was imported and nothing ran.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml as pyyaml
from canaries import Canaries

from instantiate import (
    Config,
    ConfigError,
    InterpolationError,
    Recipe,
    TargetError,
    allowed_targets,
    instantiate,
    trust_config,
)
from instantiate._build.api import instantiate_with


@pytest.fixture
def canary(tmp_path: Path) -> Iterator[Canaries]:
    made = Canaries(tmp_path)
    yield made
    made.close()


def config(text: str, canary: Canaries | None = None) -> Config:
    text = textwrap.dedent(text)
    if canary is not None:
        text = text.replace("PKG", canary.pkg).replace("TOUCH", canary.touch).replace("EVIL", canary.evil)
    return Config(pyyaml.safe_load(text))


def refused(
    cfg: Config, canary: Canaries, match: str | None = None, error: type[ConfigError] = ConfigError
) -> str:
    with pytest.raises(error, match=match) as info:
        instantiate(cfg)
    assert canary.untouched(), list(canary.marks.iterdir())
    return str(info.value)


# -- 1. $<@path:chain> walks dunders and calls anything ---------------------------------------
TORCH_ATTACK = """
a: {_target_: torch.nn.Identity}
b: {_target_: '$<@a:__setattr__>', _args_: [forward, '$<@a:__class__.__init__.__globals__.get>']}
c: {_target_: '$<@a>', _args_: [torch]}
d: {_target_: '$<@a:__setattr__>', _args_: [forward, '$<@c:os.system>']}
e: {_target_: '$<@a>', _args_: ['TOUCH']}
"""


@pytest.mark.parametrize("policy", [("torch.nn.*",), None])
def test_the_issue_attack_through_torch_identity_is_refused(canary: Canaries, policy: Any) -> None:
    import torch

    with allowed_targets(*policy) if policy else trust_nothing():
        message = refused(config(TORCH_ATTACK, canary), canary, error=InterpolationError)
    assert "'__setattr__' is private" in message
    assert torch.nn.Identity()(3) == 3  # forward is untouched


class trust_nothing:
    """No block at all: the default policy."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_dataloader_cannot_reach_its_collate_fn_through_dunders(canary: Canaries) -> None:
    cfg = config(
        """
        l: {_target_: torch.utils.data.DataLoader, dataset: [TOUCH], collate_fn: $<@s>}
        s: {_target_: torch.utils.data.SequentialSampler, data_source: [1]}
        x: {_target_: torch.utils.data.DataLoader, dataset: $<@l:__iter__().__next__()>}
        """,
        canary,
    )
    with allowed_targets("torch.utils.data.*"):
        refused(cfg, canary, match="'__iter__' is private")


@pytest.mark.parametrize(
    "chain",
    [
        "__class__.__init__.__globals__.clear()",
        "__class__.__init__.__globals__",
        "__class__.__init__.__builtins__",
        "__class__.__mro__",
        "__class__.__base__.__subclasses__()",
        "__dict__",
        "__reduce_ex__()",
        "_private",
        "parameters()._x",
    ],
)
@pytest.mark.parametrize("policy", [("PKG.*",), None])
def test_no_chain_reads_a_private_or_dunder_name(canary: Canaries, chain: str, policy: Any) -> None:
    import importlib

    cfg = config(
        f"""
        m: {{_target_: PKG.models.Model}}
        z: {{_target_: PKG.models.Store, _args_: ['$<@m:{chain}>']}}
        """,
        canary,
    )
    models = importlib.import_module(f"{canary.pkg}.models")
    names = set(vars(models))
    patterns = [p.replace("PKG", canary.pkg) for p in policy] if policy else []
    with allowed_targets(*patterns) if policy else trust_nothing():
        message = refused(cfg, canary, match="is private", error=InterpolationError)
    assert set(vars(models)) == names  # the module's globals were not cleared
    assert "z._args_[0]" in message


def test_a_public_chain_to_a_module_function_is_judged_by_its_real_name(canary: Canaries) -> None:
    cfg = config(
        """
        h: {_target_: PKG.models.Holder}
        r: {_target_: PKG.models.Runner, callback: $<@h:os.system>}
        """,
        canary,
    )
    with allowed_targets(f"{canary.pkg}.*"):
        message = refused(cfg, canary, match="not allowed", error=TargetError)
    assert "posix.system" in message or "nt.system" in message
    refused(cfg, canary, match="deny list", error=TargetError)  # no policy: the deny list


def test_a_public_chain_call_outside_the_policy_is_refused(canary: Canaries) -> None:
    cfg = config(
        """
        h: {_target_: PKG.models.Holder}
        s: {_target_: PKG.models.Store, _args_: ['$<@h:os.getcwd()>']}
        """,
        canary,
    )
    with allowed_targets(f"{canary.pkg}.*"):
        refused(cfg, canary, match="getcwd", error=TargetError)
    assert instantiate(cfg.s).args == (os.getcwd(),)  # no allowlist: getcwd is not dangerous


@pytest.mark.parametrize("chain", ["env.clear()", "env.popitem()", "os.getpid.__call__()", "os.abort"])
def test_chains_that_mutate_shared_state_or_reach_danger_are_refused_by_default(
    canary: Canaries, chain: str
) -> None:
    environ = dict(os.environ)
    cfg = config(
        f"""
        h: {{_target_: PKG.models.Holder}}
        s: {{_target_: PKG.models.Store, _args_: ['$<@h:{chain}>']}}
        """,
        canary,
    )
    refused(cfg, canary)
    assert dict(os.environ) == environ


def test_allowed_chains_still_work(canary: Canaries) -> None:
    import torch

    cfg = config(
        """
        model: {_target_: torch.nn.Linear, in_features: 2, out_features: 3}
        optimizer: {_target_: torch.optim.SGD, params: '$<@model:parameters()>', lr: 0.1}
        forward: {_target_: torch.nn.Identity}
        call: {_target_: '$<@forward>', _args_: [4]}
        """
    )
    with allowed_targets("torch.*"):
        built = instantiate(cfg)
    assert isinstance(built["optimizer"], torch.optim.SGD)
    assert built["optimizer"].param_groups[0]["params"][0] is built["model"].weight
    assert built["call"] == 4


def test_a_target_from_an_interpolation_must_be_a_string_or_an_allowed_object(canary: Canaries) -> None:
    cfg = config(
        """
        h: {_target_: PKG.models.Holder}
        run: {_target_: '$<@h:os.system>', _args_: [TOUCH]}
        """,
        canary,
    )
    with allowed_targets(f"{canary.pkg}.*"):
        refused(cfg, canary, error=TargetError)
    refused(cfg, canary, error=TargetError)
    cfg = config("n: 3\nrun: {_target_: $<n>}")
    with pytest.raises(TargetError, match="must be a string"):
        instantiate(cfg)


def test_a_partial_is_judged_by_what_it_would_call(canary: Canaries) -> None:
    import functools

    cfg = Config(
        {
            "s": {"_target_": f"{canary.pkg}.models.Store", "_args_": ["$<@r:callback>"]},
            "r": {"_target_": f"{canary.pkg}.models.Runner", "callback": None},
        }
    )
    cfg = Config({**cfg.to_dict()})
    with pytest.raises(TargetError, match="system"):
        instantiate(cfg, r={"callback": functools.partial(os.system, canary.touch)})
    assert canary.untouched()


# -- 3. nothing outside the patterns is imported -----------------------------------------------
def test_a_lazy_getattr_cannot_import_a_module_outside_the_patterns(canary: Canaries) -> None:
    cfg = config("x: {_target_: PKG.lazyhost.evil.run}", canary)
    with allowed_targets(f"{canary.pkg}.*"):
        message = refused(cfg, canary, error=TargetError)
    assert canary.evil in message


def test_an_alias_module_is_judged_by_its_real_name_before_anything_is_imported() -> None:
    import subprocess

    script = textwrap.dedent(
        """
        import sys, torch.nn.functional
        from instantiate import allowed_targets, instantiate, TargetError
        before = set(sys.modules)
        try:
            with allowed_targets("torch.nn.*"):
                instantiate({"_target_": "torch.nn.functional.torch._dynamo.reset"})
        except TargetError as error:
            print("REFUSED", error)
        print("NEW", sorted(m for m in set(sys.modules) - before if m.startswith("torch")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert "REFUSED" in done.stdout, done.stderr
    assert "torch._dynamo" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "NEW []", done.stdout


def test_a_module_on_the_deny_list_is_not_imported_to_be_refused() -> None:
    sys.modules.pop("pty", None)
    with pytest.raises(TargetError, match="deny list"):
        instantiate({"_target_": "pty.spawn", "_args_": ["true"]})
    assert "pty" not in sys.modules


# -- 4. threads -------------------------------------------------------------------------------
def test_the_policy_holds_in_a_thread_pool_started_inside_the_block(canary: Canaries) -> None:
    cfg = {"_target_": f"{canary.evil}.run"}
    with allowed_targets("torch.nn.*"), concurrent.futures.ThreadPoolExecutor(2) as pool:
        error = pool.submit(lambda: _error_of(cfg)).result()
    assert isinstance(error, TargetError)
    assert canary.untouched()


def test_the_policy_holds_in_a_pool_made_before_the_block(canary: Canaries) -> None:
    cfg = {"_target_": f"{canary.evil}.run"}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: None).result()  # the worker thread exists before the block
        with allowed_targets("torch.nn.*"):
            error = pool.submit(lambda: _error_of(cfg)).result()
        assert isinstance(error, TargetError)
        assert canary.untouched()
        assert pool.submit(lambda: _error_of(cfg)).result() is None  # the block is over
    assert (canary.marks / "ran").exists()


def test_the_policy_holds_in_a_plain_thread(canary: Canaries) -> None:
    found: list[Any] = []
    cfg = {"_target_": f"{canary.evil}.run"}
    with allowed_targets("torch.nn.*"):
        thread = threading.Thread(target=lambda: found.append(_error_of(cfg)))
        thread.start()
        thread.join()
    assert isinstance(found[0], TargetError)
    assert canary.untouched()


def test_a_thread_sees_the_deny_list_even_inside_trust_config() -> None:
    found: list[Any] = []
    with trust_config():
        thread = threading.Thread(target=lambda: found.append(_error_of({"_target_": "os.getpid.__call__"})))
        thread.start()
        thread.join()
    assert isinstance(found[0], TargetError)


def _error_of(cfg: Any) -> Exception | None:
    try:
        instantiate(cfg)
    except Exception as error:
        return error
    return None


# -- 5. the default deny list -----------------------------------------------------------------
DANGEROUS = [
    "os.system",
    "logging.os.system",
    "posix.system",
    "os.popen",
    "os.execv",
    "os.spawnl",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "subprocess.run",
    "subprocess.Popen",
    "pty.spawn",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.__import__",
    "builtins.open",
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.breakpoint",
    "builtins.input",
    "importlib.import_module",
    "pickle.loads",
    "pickle.load",
    "marshal.loads",
    "shelve.open",
    "ctypes.CDLL",
    "operator.attrgetter",
    "operator.methodcaller",
    "shutil.rmtree",
    "shutil.move",
    "runpy.run_path",
    "code.interact",
    "sys.exit",
    "sys.setrecursionlimit",
    "os.environ.update",
    "sys.modules.clear",
    "abc.ABCMeta",
]


@pytest.mark.parametrize("target", DANGEROUS)
def test_the_deny_list_refuses_dangerous_targets_by_real_name(target: str) -> None:
    with pytest.raises(TargetError, match="deny list") as info:
        instantiate({"_target_": target, "_partial_": True})
    assert info.value.path == "_target_"


def test_trust_config_and_exact_patterns_lift_the_deny_list(monkeypatch: pytest.MonkeyPatch) -> None:
    import operator

    node = {"_target_": "operator.attrgetter", "_args_": ["real"]}
    with trust_config():
        assert instantiate(node)(3) == 3
    with allowed_targets("operator.attrgetter"):
        assert instantiate(node)(3) == 3
    with allowed_targets("operator.*"), pytest.raises(TargetError, match="deny list"):
        instantiate(node)  # a wildcard does not lift it
    monkeypatch.setenv("INSTANTIATE_TRUST_CONFIG", "1")
    assert isinstance(instantiate(node), operator.attrgetter)


def test_what_hydra_refuses_by_default_we_refuse_too() -> None:
    """Side by side with Hydra 1.3.8: every target its default blocklist refuses, ours refuses."""
    from hydra._internal import target_policy
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate as hydra_instantiate

    from instantiate._build.denylist import denied

    names = set(target_policy.DEFAULT_BLOCKLISTED_MODULES) | set(target_policy.UNCONTROLLED_EXECUTION_TARGETS)
    missing = [name for name in sorted(names) if not denied(name)]
    prefixes = [p for p in target_policy.UNCONTROLLED_EXECUTION_TARGET_PREFIXES if not denied(p + "anything")]
    assert missing == [] and prefixes == []
    for target in [
        "os.system",
        "logging.os.system",
        "posix.system",
        "subprocess.run",
        "builtins.eval",
        "builtins.exec",
        "importlib.import_module",
        "pickle.loads",
        "operator.attrgetter",
        "shutil.rmtree",
    ]:
        with pytest.raises(InstantiationException):
            hydra_instantiate({"_target_": target, "_partial_": True})
        with pytest.raises(TargetError):
            instantiate({"_target_": target, "_partial_": True})
    # and what Hydra lets through is not refused for nothing
    for target in ["builtins.print", "collections.OrderedDict", "pathlib.Path", "datetime.timedelta"]:
        hydra_instantiate({"_target_": target, "_partial_": True})
        instantiate({"_target_": target, "_partial_": True})


# -- 8. lookup failures -----------------------------------------------------------------------
@pytest.mark.parametrize(("attr", "words"), [("thing", "RuntimeError"), ("imp", "ImportError")])
def test_a_lazy_loader_error_is_a_target_error_with_path_and_source(
    canary: Canaries, tmp_path: Path, attr: str, words: str
) -> None:
    from instantiate import load

    path = tmp_path / "broken.yaml"
    path.write_text(f"model:\n  _target_: {canary.pkg}.broken.{attr}\n")
    with pytest.raises(TargetError, match=words) as info:
        instantiate(load(path).model)
    assert (info.value.path, info.value.source) == ("model._target_", f"{path}:2")


# -- entry points of the policy ---------------------------------------------------------------
def test_recipe_and_instantiate_with_allow_refuse_chains(canary: Canaries) -> None:
    data = {
        "h": {"_target_": f"{canary.pkg}.models.Holder"},
        "r": {"_target_": f"{canary.pkg}.models.Runner", "callback": "$<@h:os.system>"},
    }
    with pytest.raises(TargetError), Recipe(data, allow=[f"{canary.pkg}.*"]) as recipe:
        recipe.r.run()
    with pytest.raises(TargetError):
        instantiate_with(data, allow=[f"{canary.pkg}.*"])
    assert canary.untouched()


def test_a_block_that_begins_later_holds_for_a_recipe_made_before_it() -> None:
    """A builder remembers what the policy allowed, only while no block begins or ends anywhere."""
    recipe = Recipe({"a": {"_target_": "sample_targets.Point"}, "b": {"_target_": "sample_targets.Point"}})
    assert recipe.a is not None
    started, done = threading.Event(), threading.Event()

    def hold() -> None:
        with allowed_targets("torch.nn.*"):
            started.set()
            done.wait(30)

    other = threading.Thread(target=hold)
    other.start()
    started.wait(30)
    try:
        with pytest.raises(TargetError, match=r"torch\.nn\.\*"):
            _ = recipe.b
    finally:
        done.set()
        other.join()
    assert recipe.b is not None  # the other block is over
