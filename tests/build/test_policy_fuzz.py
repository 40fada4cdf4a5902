"""Hypothesis explores ``$<@...>`` chains and ``_target_`` strings under a policy: whatever it
writes, the result is refused with a ConfigError or is something the policy allows, and no
module outside the patterns is imported."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from canaries import Canaries
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instantiate import ConfigError, InterpolationError, allowed_targets, instantiate
from instantiate._build.denylist import denied
from instantiate._build.policy import real_name
from instantiate._config.recursion import allow_deep_recursion

allow_deep_recursion()  # as building does: so hypothesis sees no change of the limit mid-test

FIXTURES_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaries]:
    made = Canaries(Path(tmp_path_factory.mktemp("fuzz")))
    yield made
    made.close()


NAMES = [
    "name",
    "layers",
    "parameters",
    "upper",
    "os",
    "env",
    "system",
    "getcwd",
    "path",
    "join",
    "environ",
    "clear",
    "pop",
    "popitem",
    "get",
    "keys",
    "copy",
    "args",
    "kwargs",
    "run",
    "callback",
    "__class__",
    "__init__",
    "__globals__",
    "__builtins__",
    "__subclasses__",
    "__dict__",
    "_exit",
    "__call__",
    "__reduce_ex__",
    "_private",
    "mro",
    "modules",
    "exec",
    "eval",
]
chains = st.lists(st.tuples(st.sampled_from(NAMES), st.booleans()), min_size=1, max_size=5)


@FIXTURES_OK
@given(chain=chains, holder=st.sampled_from(["Holder", "Model", "Store"]))
def test_any_chain_is_refused_or_reaches_only_what_the_policy_allows(
    canary: Canaries, chain: list[tuple[str, bool]], holder: str
) -> None:
    text = ".".join(name + ("()" if call else "") for name, call in chain)
    cfg = {
        "h": {"_target_": f"{canary.pkg}.models.{holder}"},
        "z": {"_target_": f"{canary.pkg}.models.Store", "_args_": [f"$<@h:{text}>"]},
    }
    environ = dict(__import__("os").environ)
    try:
        with allowed_targets(f"{canary.pkg}.*"):
            built = instantiate(cfg)
    except ConfigError as error:
        if any(name.startswith("_") for name, _ in chain):
            assert isinstance(error, InterpolationError) and "is private" in str(error)
    else:
        assert not any(name.startswith("_") for name, _ in chain)
        value = built["z"].args[0]
        if callable(value) and not isinstance(value, type(built["h"])):
            assert real_name(value).startswith(canary.pkg), real_name(value)
    assert canary.untouched()
    assert dict(__import__("os").environ) == environ


PARTS = [
    "os",
    "system",
    "sys",
    "subprocess",
    "run",
    "builtins",
    "eval",
    "getattr",
    "print",
    "logging",
    "posix",
    "importlib",
    "import_module",
    "pickle",
    "loads",
    "functools",
    "partial",
    "models",
    "Holder",
    "Model",
    "lazyhost",
    "evil",
    "broken",
    "__class__",
    "__init__",
    "__globals__",
    "_exit",
    "PKG",
    "EVIL",
    "sample_targets",
    "Point",
    "shutil",
    "rmtree",
    "path",
    "join",
    "ctypes",
    "CDLL",
]


@FIXTURES_OK
@given(parts=st.lists(st.sampled_from(PARTS), min_size=1, max_size=5), colon=st.booleans())
def test_any_target_string_is_refused_or_allowed_by_its_real_name(
    canary: Canaries, parts: list[str], colon: bool
) -> None:
    parts = [p.replace("PKG", canary.pkg).replace("EVIL", canary.evil) for p in parts]
    name = (
        parts[0] + (":" if colon and len(parts) > 1 else ".") + ".".join(parts[1:])
        if len(parts) > 1
        else parts[0]
    )
    patterns = (f"{canary.pkg}.*", "sample_targets.*", "posixpath.*")
    before = set(sys.modules)
    try:
        with allowed_targets(*patterns):
            made = instantiate({"_target_": name, "_partial_": True})
    except ConfigError:
        pass
    else:
        assert isinstance(made, functools.partial)
        real = real_name(made.func)
        assert real.startswith((f"{canary.pkg}.", "sample_targets.", "posixpath.")), real
        assert not denied(real)
    new = set(sys.modules) - before
    assert all(m.startswith((canary.pkg, "sample_targets")) for m in new if m != canary.evil), new
    assert canary.untouched()


@FIXTURES_OK
@given(parts=st.lists(st.sampled_from(PARTS), min_size=2, max_size=4))
def test_without_a_policy_nothing_on_the_deny_list_is_reached(canary: Canaries, parts: list[str]) -> None:
    parts = [p.replace("PKG", canary.pkg).replace("EVIL", "sample_targets") for p in parts]
    try:
        made = instantiate({"_target_": ".".join(parts), "_partial_": True})
    except ConfigError:
        return
    assert not denied(real_name(made.func)), real_name(made.func)
