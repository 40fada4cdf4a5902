"""The schema in a real editor: VS Code's YAML language server, driven over LSP, reads ``schema`` output.

It must give no diagnostics on the shipped examples, one on a misspelled key, none after a target
is switched or a layer inserted (the schema follows each node's own ``_target_``), completion
items with each parameter's type, default and description, and python ``jsonschema`` must agree.
The server is installed by ``.ci/tools.sh``; under CI a missing server fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from lsp import LanguageServer, server_command, yaml_settings

from instantiate._tools.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
MLP = EXAMPLES / "mlp" / "conf.yaml"
HYDRA_STYLE = EXAMPLES / "hydra_style" / "conf"
RECIPE = EXAMPLES / "recipe_trainer" / "conf.yaml"


@pytest.fixture(scope="module")
def server() -> Iterator[LanguageServer]:
    command = server_command(ROOT)
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("yaml-language-server is not installed: .ci/tools.sh installs it")
        pytest.skip("yaml-language-server (npm) and node are not installed; .ci/tools.sh installs them")
    language_server = LanguageServer(command, ROOT, yaml_settings({}))
    yield language_server
    language_server.shutdown()


class Editor:
    """Files open in the server with one schema for them, and python jsonschema beside it."""

    def __init__(self, server: LanguageServer, schema_file: Path, files: list[Path]) -> None:
        self.server = server
        self.schema = json.loads(schema_file.read_text())
        jsonschema.Draft202012Validator.check_schema(self.schema)
        self.validator = jsonschema.Draft202012Validator(self.schema)
        schemas = {**server.settings["yaml"]["schemas"], schema_file.as_uri(): [str(f) for f in files]}
        server.configure(yaml_settings(schemas))  # beside the schemas other editors set

    def diagnostics(self, file: Path, text: str | None = None) -> list[tuple[int, str]]:
        """``(line, message)`` of every diagnostic for ``file`` holding ``text`` (as on disk if None)."""
        uri = self.server.open(file, text)
        try:
            found = self.server.diagnostics(uri)
        finally:
            self.server.close(uri)
        return [(d["range"]["start"]["line"] + 1, d["message"]) for d in found]

    def python_errors(self, file: Path, text: str | None = None) -> list[str]:
        data = yaml.safe_load(file.read_text() if text is None else text)
        return [error.message for error in self.validator.iter_errors(data)]

    def agree(self, file: Path, text: str | None = None) -> list[tuple[int, str]]:
        """The server's diagnostics, after checking python jsonschema gives a verdict as clean or not."""
        found = self.diagnostics(file, text)
        errors = self.python_errors(file, text)
        assert bool(found) == bool(errors), (found, errors)
        return found

    def completion(self, file: Path, text: str, line: int, column: int) -> dict[str, Any]:
        """Completion items by label at (1-based) ``line``, ``column``."""
        uri = self.server.open(file, text)
        try:
            self.server.diagnostics(uri)
            items = self.server.completion(uri, line - 1, column)
        finally:
            self.server.close(uri)
        return {item["label"]: item for item in items}

    def hover(self, file: Path, text: str, line: int, column: int) -> str:
        uri = self.server.open(file, text)
        try:
            self.server.diagnostics(uri)
            return self.server.hover(uri, line - 1, column)
        finally:
            self.server.close(uri)


def schema_of(config: Path, out: Path, *options: str) -> Path:
    """``python -m instantiate schema CONFIG -o OUT``, as a user makes it."""
    assert cli(["schema", str(config), "-o", str(out), *options]) == 0
    return out


def documentation(item: dict[str, Any]) -> str:
    doc = item.get("documentation") or ""
    return doc["value"] if isinstance(doc, dict) else str(doc)


@pytest.fixture(scope="module")
def mlp(server: LanguageServer, tmp_path_factory: pytest.TempPathFactory) -> Editor:
    schema = schema_of(MLP, tmp_path_factory.mktemp("mlp") / "conf.schema.json")
    return Editor(server, schema, [MLP])


@pytest.fixture(scope="module")
def hydra_style(server: LanguageServer, tmp_path_factory: pytest.TempPathFactory) -> Editor:
    schema = schema_of(HYDRA_STYLE / "train.yaml", tmp_path_factory.mktemp("hydra") / "train.schema.json")
    return Editor(server, schema, sorted(HYDRA_STYLE.rglob("*.yaml")))


# -- the shipped examples -------------------------------------------------------------------------
def test_no_diagnostics_on_the_shipped_examples(
    server: LanguageServer, mlp: Editor, hydra_style: Editor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert mlp.agree(MLP) == []
    files = sorted(HYDRA_STYLE.rglob("*.yaml"))
    assert len(files) >= 7
    for file in files:  # one schema for every file of the config directory, groups included
        assert hydra_style.agree(file) == [], file
    # its train.py registers synthetic_regression: --import it, as for check
    monkeypatch.chdir(RECIPE.parent)
    recipe = Editor(server, schema_of(RECIPE, tmp_path / "recipe.schema.json", "--import", "train"), [RECIPE])
    assert recipe.agree(RECIPE) == []


def test_a_misspelled_key_is_a_diagnostic_on_its_line(mlp: Editor) -> None:
    text = MLP.read_text().replace("out_features: 64", "out_featurs: 64")
    line = text.splitlines().index("      out_featurs: 64") + 1
    node = text.splitlines().index("    - _target_: torch.nn.Linear") + 1
    found = mlp.agree(MLP, text)
    assert sorted(found) == [
        (node, 'Missing property "out_features".'),
        (line, "Property out_featurs is not allowed."),
    ]
    assert any("out_featurs" in error for error in mlp.python_errors(MLP, text))


def test_a_wrong_type_is_a_diagnostic(mlp: Editor) -> None:
    text = MLP.read_text().replace("lr: 0.01", "lr: fast")
    found = mlp.agree(MLP, text)
    assert [line for line, _ in found] == [text.splitlines().index("  lr: fast") + 1], found


def test_inserting_a_layer_gives_no_diagnostic(mlp: Editor) -> None:
    text = MLP.read_text()
    layer = "    - _target_: torch.nn.ReLU\n"
    inserted = text.replace(
        layer,
        layer + "    - _target_: torch.nn.Linear\n      in_features: 64\n      out_features: 64\n" + layer,
    )
    assert inserted.count("torch.nn.Linear") == 3
    assert mlp.agree(MLP, inserted) == []
    # the inserted layer is checked against its own target, at its own line
    wrong = inserted.replace("      in_features: 64\n", "      in_feature: 64\n")
    line = wrong.splitlines().index("      in_feature: 64") + 1
    assert sorted(mlp.agree(MLP, wrong)) == [
        (line - 1, 'Missing property "in_features".'),  # on the layer's - _target_: line
        (line, "Property in_feature is not allowed."),
    ]


def test_switching_a_target_checks_the_new_one(hydra_style: Editor) -> None:
    adam = HYDRA_STYLE / "optimizer" / "adam.yaml"
    text = adam.read_text()
    assert "_target_: torch.optim.Adam" in text
    sgd = text.replace("torch.optim.Adam", "torch.optim.SGD") + "momentum: 0.9\nnesterov: true\n"
    assert hydra_style.agree(adam, sgd) == []  # momentum is SGD's, not Adam's: no false error
    assert hydra_style.agree(adam, text + "momentum: 0.9\n") == [
        (len(text.splitlines()) + 1, "Property momentum is not allowed.")
    ]
    misspelled = sgd.replace("momentum:", "momentun:")
    assert [message for _, message in hydra_style.agree(adam, misspelled)] == [
        "Property momentun is not allowed."
    ]


def test_a_target_the_schema_does_not_know_gives_no_false_error(mlp: Editor) -> None:
    text = MLP.read_text().replace("torch.optim.Adam", "torch.optim.RMSprop") + "  alpha: 0.9\n"
    assert "RMSprop" in text
    assert mlp.agree(MLP, text) == []


# -- completion and hover -------------------------------------------------------------------------
def test_completion_carries_type_default_and_description(hydra_style: Editor) -> None:
    sgd = HYDRA_STYLE / "optimizer" / "sgd.yaml"
    text = sgd.read_text().replace("momentum: 0.9\n", "") + "\n"  # what is written is not offered again
    items = hydra_style.completion(sgd, text, len(text.splitlines()) + 1, 0)
    assert {"momentum", "dampening", "nesterov", "weight_decay"} <= set(items), sorted(items)
    assert "betas" not in items  # Adam's, not SGD's
    momentum = documentation(items["momentum"])
    assert "float" in momentum and "0" in momentum and "momentum factor" in momentum, momentum
    nesterov = documentation(items["nesterov"])
    assert "bool" in nesterov and "False" in nesterov and "Nesterov momentum" in nesterov, nesterov


def test_completion_of_target_names(hydra_style: Editor) -> None:
    adam = HYDRA_STYLE / "optimizer" / "adam.yaml"
    text = adam.read_text().replace("_target_: torch.optim.Adam", "_target_: ")
    line = text.splitlines().index("_target_: ") + 1
    items = hydra_style.completion(adam, text, line, len("_target_: "))
    assert {"torch.optim.Adam", "torch.optim.SGD", "torch.nn.Linear"} <= set(items), sorted(items)


def test_completion_of_a_layer_in_args(mlp: Editor) -> None:
    text = MLP.read_text().replace(
        "    - _target_: torch.nn.ReLU\n", "    - _target_: torch.nn.Linear\n      \n", 1
    )
    line = text.splitlines().index("      ") + 1  # the empty line inside the new layer
    items = mlp.completion(MLP, text, line, 6)
    assert {"in_features", "out_features", "bias"} <= set(items), sorted(items)
    in_features = documentation(items["in_features"])
    assert "int" in in_features and "required" in in_features and "size of each input sample" in in_features


def test_hover_shows_what_the_docstring_says(mlp: Editor) -> None:
    text = MLP.read_text()
    line = text.splitlines().index("  lr: 0.01") + 1
    shown = mlp.hover(MLP, text, line, 3)
    assert "float" in shown and "learning rate" in shown, shown


def test_docstring_styles_reach_the_editor(server: LanguageServer, tmp_path: Path) -> None:
    """numpy, Google and reST parameter sections all become descriptions."""
    (tmp_path / "styles.py").write_text(
        textwrap.dedent(
            '''
            def numpy_style(width: int = 3):
                """Numpy.

                Parameters
                ----------
                width : int
                    How wide, in numpy style.
                """

            def google_style(depth: int = 2):
                """Google.

                Args:
                    depth (int): How deep, in Google style.
                """

            def rest_style(height: float = 1.0):
                """reST.

                :param height: How high, in reST style.
                """
            '''
        )
    )
    config = tmp_path / "conf.yaml"
    config.write_text(
        "a:\n  _target_: styles.numpy_style\nb:\n  _target_: styles.google_style\n"
        "c:\n  _target_: styles.rest_style\n"
    )
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        editor = Editor(server, schema_of(config, tmp_path / "schema.json"), [config])
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "styles"]:
            del sys.modules[name]
    assert editor.agree(config) == []
    for node, key, said in (("a", "width", "numpy"), ("b", "depth", "Google"), ("c", "height", "reST")):
        text = config.read_text().replace(f"{node}:\n", f"{node}:\n  \n", 1)
        line = text.splitlines().index(f"{node}:") + 2
        items = editor.completion(config, text, line, 2)
        assert key in items, (node, sorted(items))
        assert f"in {said} style" in documentation(items[key]), documentation(items[key])
