"""schema: JSON Schema (2020-12) from target signatures; real configs pass it, misspelled keys do not."""

from __future__ import annotations

import dataclasses
import enum
import textwrap
from pathlib import Path
from typing import Any, Literal, Optional, Union

import jsonschema
import pytest
import yaml

from instantiate import TargetError, compose, register
from instantiate._tools.schema import DIALECT, config_schema, target_schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class Color(enum.Enum):
    red = "r"
    green = "g"


@dataclasses.dataclass
class Point:
    x: int = 0
    y: float = 0.0


class Widget:
    """A widget for tests.

    Everything after the first paragraph stays out of the description.
    """

    def __init__(
        self,
        size: int,
        ratio: float = 0.5,
        name: str = "w",
        flag: bool = False,
        nothing: None = None,
        maybe: Optional[int] = None,  # noqa: UP045 - the typing spelling is what is tested
        either: Union[int, str] = 1,  # noqa: UP007
        sizes: list[int] = (),  # type: ignore[assignment]
        table: Optional[dict[str, float]] = None,  # noqa: UP045
        pair: tuple[int, str] = (1, "a"),
        mode: Literal["fast", "slow"] = "fast",
        color: Color = Color.red,
        where: Path = Path("/tmp"),
        at: Point = None,  # type: ignore[assignment]
        anything: Any = None,
        untyped=3,
        *,
        key: str,
    ) -> None:
        pass


def loose(a: int, /, b: int, **rest: float) -> None:
    """Takes extra keywords."""


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(schema).iter_errors(instance)
    ]


@pytest.fixture
def widget() -> str:
    register("widget", Widget)
    register("loose", loose)
    return "widget"


def test_a_target_schema(widget: str) -> None:
    schema = target_schema(widget)
    assert schema["$schema"] == DIALECT == "https://json-schema.org/draft/2020-12/schema"
    definition = schema["$defs"]["widget"]
    assert schema["$ref"] == "#/$defs/widget"
    assert definition["description"] == "A widget for tests."
    assert definition["additionalProperties"] is False
    props = definition["properties"]
    assert props["_target_"] == {"const": "widget", "description": "A widget for tests."}
    # each typed value may also be known later: anyOf for scalars, if/then for lists and mappings
    typed = {
        name: p["anyOf"][0] if "anyOf" in p else p["then"]
        for name, p in props.items()
        if ("anyOf" in p or "then" in p) and name != "_args_"
    }
    assert typed["size"] == {"type": "integer"}
    assert typed["ratio"] == {"type": "number"}
    assert typed["name"] == {"type": "string"}
    assert typed["flag"] == {"type": "boolean"}
    assert typed["nothing"] == {"type": "null"}
    assert typed["maybe"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    assert typed["either"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert typed["sizes"]["type"] == "array" and typed["sizes"]["items"]["anyOf"][0] == {"type": "integer"}
    assert typed["table"]["anyOf"][0]["additionalProperties"]["anyOf"][0] == {"type": "number"}
    assert typed["pair"]["prefixItems"][1]["anyOf"][0] == {"type": "string"}
    assert typed["mode"] == {"enum": ["fast", "slow"]}
    assert typed["color"] == {"enum": ["red", "green", "r", "g"]}
    assert typed["where"] == {"type": "string"}
    assert typed["at"]["properties"]["x"]["anyOf"][0] == {"type": "integer"}
    assert props["anything"]["$ref"] == props["untyped"]["$ref"] == "#/$defs/value"  # any value
    assert props["anything"]["default"] is None and props["untyped"]["default"] == 3
    assert props["ratio"]["default"] == 0.5 and props["color"]["default"] == "red"
    assert props["sizes"]["default"] == [] and props["where"]["default"] == "/tmp"
    assert "default" not in props["at"] or props["at"]["default"] is None


def test_a_target_schema_validates_nodes(widget: str) -> None:
    schema = target_schema(widget)
    assert errors(schema, {"_target_": "widget", "size": 3, "key": "k"}) == []
    assert (
        errors(schema, {"_target_": "widget", "size": "$<data.size>", "key": "???", "color": "green"}) == []
    )
    assert errors(schema, {"_target_": "widget", "size": {"_target_": "make_size"}, "key": "k"}) == []
    assert errors(schema, {"_target_": "widget", "_args_": [3, 0.1], "key": "k"}) == []
    assert errors(schema, {"_target_": "widget", "_partial_": True}) == []
    assert errors(schema, {"_target_": "widget", "siz": 3, "key": "k"}) == [
        ": 'size' is a required property",
        ": Additional properties are not allowed ('siz' was unexpected)",
    ]
    assert errors(schema, {"_target_": "widget", "_args_": [3]}) == [": 'key' is a required property"]
    assert errors(schema, {"_target_": "widget", "size": 0.5, "key": "k", "mode": "medium"}) != []
    assert errors(schema, {"_target_": "other", "size": 1, "key": "k"}) == ["_target_: 'widget' was expected"]
    too_many = {"_target_": "loose", "_args_": [1, 2, 3]}
    (error,) = validator(target_schema("loose")).iter_errors(too_many)
    assert list(error.absolute_path) == ["_args_"]
    assert "[1, 2, 3] is too long" in error.message  # in the list itself, not one of several schemas
    assert errors(schema, {"_target_": "widget", "size": 1, "key": "k", "pair": [1, "a", 2]}) != []


def test_no_items_beside_prefix_items_for_draft_7_editors(widget: str) -> None:
    """VS Code's YAML extension reads "items" as draft-07 does: for every item, prefixItems or not."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "prefixItems" in node:
                assert "items" not in node, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(target_schema(widget))
    walk(config_schema(compose("conf", config_dir=str(EXAMPLES / "mlp"))))


def test_positional_only_and_var_keyword(widget: str) -> None:
    schema = target_schema("loose")
    definition = schema["$defs"]["loose"]
    assert definition["additionalProperties"]["anyOf"][0] == {"type": "number"}
    assert "a" not in definition["properties"]
    assert errors(schema, {"_target_": "loose", "_args_": [1], "b": 2, "extra": 0.5}) == []
    assert errors(schema, {"_target_": "loose", "b": 2}) == [": '_args_' is a required property"]
    assert errors(schema, {"_target_": "loose", "_args_": [1], "b": 2, "extra": "x"}) != []


def test_an_unknown_target_is_a_target_error() -> None:
    with pytest.raises(TargetError, match="no attribute 'Linaer'"):
        target_schema("collections.Linaer")


def test_the_canonical_config_validates_against_its_own_schema() -> None:
    path = EXAMPLES / "mlp" / "conf.yaml"
    schema = config_schema(compose("conf", config_dir=str(path.parent)), title="conf.yaml")
    data = yaml.safe_load(path.read_text())
    assert errors(schema, data) == []
    assert schema["title"] == "conf.yaml"
    assert set(schema["$defs"]) >= {"torch.nn.Sequential", "torch.nn.Linear", "torch.optim.Adam"}
    assert schema["$defs"]["torch.optim.Adam"]["properties"]["lr"]["default"] == 0.001

    misspelled = yaml.safe_load(path.read_text())
    misspelled["model"]["_args_"][0]["out_featurs"] = 64
    best = jsonschema.exceptions.best_match(validator(schema).iter_errors(misspelled))
    assert list(best.absolute_path) == ["model", "_args_", 0]
    assert "'out_featurs' was unexpected" in best.message

    wrong_type = yaml.safe_load(path.read_text())
    wrong_type["optimizer"]["lr"] = "fast"
    assert [list(e.absolute_path) for e in validator(schema).iter_errors(wrong_type)] == [["optimizer", "lr"]]

    replaced = yaml.safe_load(path.read_text())
    replaced["model"] = "$<models.big>"
    assert errors(schema, replaced) == []


def test_a_composed_config_with_groups(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "small.yaml").write_text("_target_: collections.OrderedDict\n")
    (tmp_path / "train.yaml").write_text(
        textwrap.dedent(
            """\
            defaults:
              - model: small
              - _self_
            epochs: 3
            logger:
              _target_: logging.getLogger
              name: train
            """
        )
    )
    schema = config_schema(compose("train", config_dir=str(tmp_path)), title="train.yaml")
    dispatch = schema["$defs"]["target"]["allOf"]
    assert {
        "if": {"properties": {"_target_": {"const": "collections.OrderedDict"}}, "required": ["_target_"]},
        "then": {"$ref": "#/$defs/collections.OrderedDict"},
    } in dispatch
    assert errors(schema, yaml.safe_load((tmp_path / "train.yaml").read_text())) == []
    assert errors(schema, {"logger": {"_target_": "logging.getLogger", "nam": "x"}}) != []
    # the same schema serves the group's files: any node, any known target
    assert errors(schema, yaml.safe_load((tmp_path / "model" / "small.yaml").read_text())) == []
    assert errors(schema, {"_target_": "logging.getLogger", "name": "x"}) == []
    assert errors(schema, {"_target_": "logging.getLogger", "nam": "x"}) != []
    assert errors(schema, {"deep": [{"a": {"_target_": "logging.getLogger", "nam": "x"}}]}) != []


def documented(width: int = 3, *, name: str, scale: float = 1.5) -> None:
    """A documented target.

    Args:
        width: How wide, in cells.
        name (str): What to call it.
    """


def test_descriptions_carry_type_default_and_the_docstring() -> None:
    register("documented", documented)
    props = target_schema("documented")["$defs"]["documented"]["properties"]
    assert props["width"]["description"] == "int, default 3: How wide, in cells."
    assert props["width"]["markdownDescription"] == "`width: int` = `3`\n\nHow wide, in cells."
    assert props["name"]["description"] == "str, required: What to call it."
    assert props["scale"]["description"] == "float, default 1.5"  # undocumented: type and default
    assert props["_target_"]["description"] == "A documented target."


def test_any_node_may_switch_to_any_known_target(widget: str) -> None:
    """A config naming one target: its nodes may name another, and are checked against that one."""
    schema = config_schema({"a": {"_target_": "widget", "size": 1, "key": "k"}})
    names = schema["$defs"]["target"]["properties"]["_target_"]["anyOf"][0]["enum"]
    assert "widget" in names and "loose" in names  # named in the config, and registered
    switched = {"a": {"_target_": "loose", "_args_": [1], "b": 2, "extra": 0.5}}
    assert errors(schema, switched) == []
    assert errors(schema, {"a": {"_target_": "loose", "_args_": [1], "b": "x"}}) != []
    inserted = {"a": {"_target_": "widget", "size": {"_target_": "loose", "_args_": [1], "b": 2}, "key": "k"}}
    assert errors(schema, inserted) == []
    inserted["a"]["size"]["c"] = "not a number"
    assert errors(schema, inserted) != []
    # a target the schema does not know: its keys are not checked, and nothing is a false error
    assert errors(schema, {"a": {"_target_": "collections.OrderedDict", "anything": 1}}) == []


def test_a_target_in_another_file_of_the_config_directory_is_known(tmp_path: Path) -> None:
    from instantiate._tools.schema import targets_in_directory

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "a.yaml").write_text("_target_: collections.OrderedDict\n")
    (tmp_path / "model" / "b.yaml").write_text("_target_: logging.getLogger\nname: x\nbad: [\n")
    (tmp_path / "model" / "c.yaml").write_text(
        "layers:\n  - _target_: logging.getLogger\n  - _target_: ${x}\n"
    )
    assert targets_in_directory(str(tmp_path)) == ["collections.OrderedDict", "logging.getLogger"]
    schema = config_schema(
        {"m": {"_target_": "collections.OrderedDict"}}, extra_targets=["logging.getLogger", "no.such.Target"]
    )
    assert errors(schema, {"m": {"_target_": "logging.getLogger", "nam": "x"}}) != []
    assert "no.such.Target" not in schema["$defs"]
