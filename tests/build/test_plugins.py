"""Entry-point plugins end to end, through real installed metadata on a temporary sys.path.

Each test publishes distributions as ``*.dist-info`` folders (``METADATA`` + ``entry_points.txt``)
in a fresh directory put on ``sys.path``; ``importlib.metadata`` finds them exactly as it finds
pip-installed packages, and nothing outside ``tmp_path`` is touched. One test also
pip-installs ``examples/plugin_package`` itself into ``tmp_path``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugins import publish

from instantiate import Config, Registry, instantiate, register, registry
from instantiate._build.recipe import Recipe
from instantiate._errors import RegistryError, TargetError

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "examples" / "plugin_package"
PLUGIN_SRC = PLUGIN / "src"
PLUGIN_MODULES = ("instantiate_example_plugin",)


def declared_entry_points() -> dict[str, dict[str, str]]:
    """The entry points the example plugin's own pyproject.toml declares."""
    toml = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    project = toml.loads((PLUGIN / "pyproject.toml").read_text())["project"]
    assert project["name"] == "instantiate-example-plugin"
    return dict(project["entry-points"])


def plugin_modules() -> list[str]:
    return sorted(m for m in sys.modules if m.split(".")[0] in PLUGIN_MODULES)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty site directory on sys.path; modules imported from it are forgotten afterwards."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    registry.forget_plugins()
    yield root
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if name.split(".")[0] in PLUGIN_MODULES or file.startswith(str(root)):
            del sys.modules[name]
    registry.forget_plugins()


@pytest.fixture
def example_plugin(site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example plugin 'installed' from its own pyproject's entry points and its source."""
    publish(site, "instantiate-example-plugin", declared_entry_points())
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    return site


# -- the example plugin, round trip -------------------------------------------------------------
def test_published_names_build_from_a_config(example_plugin: Path) -> None:
    torch = pytest.importorskip("torch")
    cfg = Config.from_yaml(
        "model: {_target_: tiny_mlp, in_features: 3, hidden: 8}\n"
        "data: {_target_: toy_dataset, size: 5, features: 3}\n"
    )
    model, data = instantiate(cfg.model), instantiate(cfg.data)
    assert type(model).__module__ == "instantiate_example_plugin.models"
    assert len(data) == 5
    inputs = torch.tensor([features for features, _ in data])
    assert model(inputs).shape == (5, 1)
    assert {"tiny_mlp", "toy_dataset"} <= set(registry.names())
    assert "tiny_mlp" in registry
    assert registry.find("toy_dataset")["module"] == "instantiate_example_plugin.data"


def test_a_plugin_module_is_imported_only_when_one_of_its_names_is_used(example_plugin: Path) -> None:
    assert plugin_modules() == []
    instantiate({"_target_": "collections.OrderedDict"})  # reads the group's names, imports nothing
    assert "toy_dataset" in registry and "tiny_mlp" in registry.names()
    assert plugin_modules() == []
    instantiate({"_target_": "toy_dataset", "size": 2})
    assert plugin_modules() == ["instantiate_example_plugin", "instantiate_example_plugin.data"]


def test_import_reads_no_entry_points_and_the_group_is_read_once(site: Path) -> None:
    """In a fresh interpreter: importing scans nothing; the first unregistered name reads the
    group once; a plugin's module (and torch, which only its model needs) loads only when used."""
    publish(site, "instantiate-example-plugin", declared_entry_points())
    script = textwrap.dedent(
        """
        import importlib.metadata as metadata, sys
        reads = []
        real = metadata.entry_points
        def counting(**kwargs):
            reads.append(kwargs.get("group"))
            return real(**kwargs)
        metadata.entry_points = counting
        plugin = lambda: sorted(m for m in sys.modules if m.startswith("instantiate_example_plugin"))

        import instantiate
        assert reads == [] and plugin() == [], (reads, plugin())
        instantiate.instantiate({"_target_": "collections.OrderedDict"})
        instantiate.instantiate({"_target_": "collections.Counter"})
        assert reads == ["instantiate.targets"] and plugin() == [], (reads, plugin())
        assert len(instantiate.instantiate({"_target_": "toy_dataset", "size": 3})) == 3
        assert plugin() == ["instantiate_example_plugin", "instantiate_example_plugin.data"], plugin()
        assert "torch" not in sys.modules
        assert reads == ["instantiate.targets"], reads
        print("ok")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(site), str(PLUGIN_SRC)])}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=site, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_recipe_builds_plugin_targets_and_allow_judges_both_names(example_plugin: Path) -> None:
    pytest.importorskip("torch")
    cfg = {"model": {"_target_": "tiny_mlp"}, "data": {"_target_": "toy_dataset", "size": 4}}
    by_name = Recipe(cfg, allow=["tiny_mlp", "toy_dataset"])
    assert len(by_name.data) == 4 and by_name.model is by_name.model
    by_real_name = Recipe(cfg, allow=["instantiate_example_plugin.*"])
    assert type(by_real_name.model).__name__ == "TinyMLP"


def test_a_refused_plugin_name_is_not_imported(example_plugin: Path) -> None:
    r = Recipe({"model": {"_target_": "tiny_mlp"}}, allow=["torch.*"])
    with pytest.raises(TargetError, match="not allowed") as info:
        _ = r.model
    assert "instantiate_example_plugin.models" in str(info.value)
    assert plugin_modules() == []


def test_a_name_registered_in_code_wins_over_a_plugin(example_plugin: Path) -> None:
    register("tiny_mlp", dict)
    assert instantiate({"_target_": "tiny_mlp", "a": 1}) == {"a": 1}
    assert plugin_modules() == []


def _can_build_wheels() -> bool:
    """setuptools builds wheels by itself from 70.1; older ones need the wheel package."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.skipif(not _can_build_wheels(), reason="needs setuptools>=70.1 or wheel to build offline")
def test_pip_installing_the_example_package_publishes_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "source"
    shutil.copytree(PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = tmp_path / "installed"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    monkeypatch.syspath_prepend(str(target))
    registry.forget_plugins()
    try:
        dist = importlib.metadata.distribution("instantiate-example-plugin")
        assert {ep.name for ep in dist.entry_points} == {"tiny_mlp", "toy_dataset"}
        data = instantiate({"_target_": "toy_dataset", "size": 3})
        assert Path(sys.modules[type(data).__module__].__file__ or "").is_relative_to(target)
    finally:
        for name in plugin_modules():
            del sys.modules[name]


# -- clashes and broken plugins -------------------------------------------------------------------
def test_two_distributions_publishing_one_name_clash_only_when_it_is_used(site: Path) -> None:
    publish(
        site,
        "vision-a",
        {"instantiate.targets": {"backbone": "vision_a:Net", "only_a": "vision_a:Net"}},
        vision_a="class Net:\n    pass\n",
    )
    publish(
        site,
        "vision-b",
        {"instantiate.targets": {"backbone": "vision_b:Net"}},
        vision_b="class Net:\n    pass\n",
    )
    assert type(instantiate({"_target_": "only_a"})).__module__ == "vision_a"
    with pytest.raises(RegistryError) as info:
        instantiate({"_target_": "backbone"})
    message = str(info.value)
    assert "'backbone'" in message and "more than one installed distribution" in message
    assert "'vision-a' as 'vision_a:Net'" in message and "'vision-b' as 'vision_b:Net'" in message
    assert "vision_b" not in sys.modules
    with pytest.raises(RegistryError, match="vision-a"):
        Recipe({"model": {"_target_": "backbone"}}).model  # noqa: B018
    register("backbone", dict)  # a code registration settles it, as the hint says
    assert instantiate({"_target_": "backbone"}) == {}


def test_one_distribution_seen_twice_on_sys_path_is_not_a_clash(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(
        site,
        "solo",
        {"instantiate.targets": {"solo_thing": "solo_mod:Thing"}},
        solo_mod="class Thing:\n    pass\n",
    )
    again = tmp_path / "again"
    shutil.copytree(site, again)
    monkeypatch.syspath_prepend(str(again))
    registry.forget_plugins()
    assert type(instantiate({"_target_": "solo_thing"})).__name__ == "Thing"


def test_a_plugin_whose_module_fails_to_import_reports_that_error_and_the_distribution(site: Path) -> None:
    publish(
        site,
        "broken-plugin",
        {"instantiate.targets": {"broken_model": "broken_mod:Model"}},
        broken_mod="import math\nraise RuntimeError('cuda kernels missing')\n",
    )
    with pytest.raises(RegistryError) as info:
        instantiate({"model": {"_target_": "broken_model"}})
    message = str(info.value)
    assert "'broken-plugin'" in message and "'broken_mod:Model'" in message
    assert "RuntimeError: cuda kernels missing" in message
    assert isinstance(info.value.__cause__, RuntimeError)


def test_a_plugin_pointing_at_nothing_reports_the_distribution(site: Path) -> None:
    publish(
        site,
        "half-plugin",
        {"instantiate.targets": {"gone": "gone_module:Model", "typo": "half_mod:Modle"}},
        half_mod="class Model:\n    pass\n",
    )
    with pytest.raises(RegistryError, match=r"'half-plugin'.*ModuleNotFoundError"):
        instantiate({"_target_": "gone"})
    with pytest.raises(RegistryError, match=r"'half-plugin' as 'half_mod:Modle'.*AttributeError"):
        instantiate({"_target_": "typo"})


def test_a_broken_plugin_error_names_the_config_path(site: Path) -> None:
    publish(
        site,
        "broken-plugin",
        {"instantiate.targets": {"broken_model": "broken_mod:Model"}},
        broken_mod="raise RuntimeError('no')\n",
    )
    with pytest.raises(RegistryError) as info:
        instantiate(Config.from_yaml("model:\n  _target_: broken_model\n", file="c.yaml"))
    assert info.value.path == "model._target_" and info.value.source == "c.yaml:2"


MLP_SOURCE = """
class MLP:
    def __init__(self, width=2):
        self.width = width
"""


# -- registries with their own group ------------------------------------------------------------
def test_a_registry_reads_its_own_group_only(site: Path) -> None:
    publish(site, "myproj-extras", {"myproj.models": {"mlp": "extras_mod:MLP"}}, extras_mod=MLP_SOURCE)
    models = Registry("models", entry_points="myproj.models")
    assert "mlp" in models and models.names() == ["mlp"]
    assert models.build({"_target_": "mlp", "width": 5}).width == 5
    assert models.get("mlp").__name__ == "MLP"
    with pytest.raises(RegistryError, match=r"no 'mpl'\. Did you mean 'mlp'\? Available names: mlp"):
        models.get("mpl")
    assert "mlp" not in registry  # the default registry reads instantiate.targets, not myproj.models
    with pytest.raises(TargetError):
        instantiate({"_target_": "mlp"})
    assert Recipe({"m": {"_target_": "mlp"}}, registry=models).m.width == 2
    assert repr(models) == "instantiate.Registry('models', entry_points='myproj.models')"


def test_the_group_is_read_once_until_forget_plugins(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Any] = []
    real = importlib.metadata.entry_points

    def counting(**kwargs: Any) -> Any:
        reads.append(kwargs.get("group"))
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", counting)
    models = Registry("models", entry_points="late.models")
    assert "late" not in models and models.names() == []
    publish(
        site, "late-plugin", {"late.models": {"late": "late_mod:Late"}}, late_mod="class Late:\n    pass\n"
    )
    assert "late" not in models  # installed after the first read: not seen yet
    assert reads == ["late.models"]
    models.forget_plugins()
    assert "late" in models and type(models.build({"_target_": "late"})).__name__ == "Late"
    assert reads == ["late.models", "late.models"]
