"""graph: the target nodes of a config, how they nest, and the $<@...> sharing, as DOT or Mermaid."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from instantiate import InterpolationError, load
from instantiate._tools.graph import RenderError, dependency_graph, render

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mlp" / "conf.yaml"


def graph_of(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "conf.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return dependency_graph(load(path))


def test_the_canonical_example_as_mermaid() -> None:
    assert dependency_graph(load(EXAMPLE)).to_mermaid() == textwrap.dedent(
        """\
        flowchart LR
          n0["model<br/>torch.nn.Sequential"]
          n1["model._args_[0]<br/>torch.nn.Linear"]
          n2["model._args_[1]<br/>torch.nn.ReLU"]
          n3["model._args_[2]<br/>torch.nn.Linear"]
          n4["optimizer<br/>torch.optim.Adam"]
          n5["loss<br/>torch.nn.CrossEntropyLoss"]
          n0 --> n1
          n0 --> n2
          n0 --> n3
          n4 -.->|"parameters()"| n0
        """
    )


def test_the_canonical_example_as_dot() -> None:
    text = dependency_graph(load(EXAMPLE)).to_dot()
    assert text.startswith("digraph config {\n  rankdir=LR;\n")
    assert '  n0 [label="model\\ntorch.nn.Sequential"];' in text
    assert "  n0 -> n1;\n  n0 -> n2;\n  n0 -> n3;\n" in text
    assert '  n4 -> n0 [style=dashed, label="parameters()"];' in text
    assert text.endswith("}\n")


def test_nodes_know_where_they_are(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, "a:\n  b:\n    _target_: builtins.dict\n    c: {_target_: builtins.list}\n")
    assert [(n.path, n.name, n.source, n.parent and n.parent.path) for n in graph.nodes] == [
        ("a.b", "builtins.dict", f"{tmp_path / 'conf.yaml'}:2", None),
        ("a.b.c", "builtins.list", f"{tmp_path / 'conf.yaml'}:4", "a.b"),
    ]


def test_sharing_edges_follow_relative_and_indirect_references(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        """
        encoder: {_target_: builtins.dict}
        alias: $<encoder>
        model:
          _target_: builtins.dict
          first: $<@..encoder>
          again: $<@alias:keys()>
          text: "uses $<@encoder:copy>"
        plain: $<@model>
        """,
    )
    shares = [
        (e.origin and e.origin.path, e.dest.path, e.via, e.path) for e in graph.edges if e.kind == "share"
    ]
    assert shares == [
        ("model", "encoder", "", "model.first"),
        ("model", "encoder", "keys()", "model.again"),
        ("model", "encoder", "copy", "model.text"),
        (None, "model", "", "plain"),
    ]
    mermaid = graph.to_mermaid()
    assert '  n1 -.->|"keys()"| n0' in mermaid
    assert '  v_plain(["plain"])\n' in mermaid and "  v_plain -.-> n1\n" in mermaid
    assert '  v_plain [label="plain", shape=plain];' in graph.to_dot()


def test_labels_are_escaped(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, "'we\"ird<key>':\n  _target_: builtins.dict\n")
    assert '["we#quot;ird#lt;key#gt;<br/>builtins.dict"]' in graph.to_mermaid()
    assert '[label="we\\"ird<key>\\nbuiltins.dict"]' in graph.to_dot()


def test_a_broken_shared_reference_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InterpolationError) as caught:
        graph_of(tmp_path, "data: {x: 1}\nopt:\n  _target_: builtins.dict\n  params: $<@data>\n")
    assert caught.value.path == "opt.params"
    assert caught.value.source == f"{tmp_path / 'conf.yaml'}:4"
    assert "which has no _target_ to build" in str(caught.value)


def test_other_interpolations_are_not_needed_for_the_graph(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, "a:\n  _target_: builtins.dict\n  b: $<env:NOT_SET_ANYWHERE_FOR_GRAPH>\n")
    assert [n.path for n in graph.nodes] == ["a"]


def test_cycles_of_nodes(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        """
        a: {_target_: builtins.dict, x: $<@b>}
        b: {_target_: builtins.dict, x: $<@c>}
        c: {_target_: builtins.dict, x: $<@a:keys()>, y: $<@c>}
        d: {_target_: builtins.dict, x: $<@a>}
        """,
    )
    cycles = graph.cycles()
    assert [[(e.origin.path, e.dest.path) for e in cycle] for cycle in cycles] == [  # type: ignore[union-attr]
        [("a", "b"), ("b", "c"), ("c", "a")],
        [("c", "c")],
    ]


def test_rendering_without_graphviz_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RenderError) as caught:
        render("digraph {}", str(tmp_path / "g.svg"), "svg")
    message = str(caught.value)
    assert "needs Graphviz's 'dot' program, which is not on PATH" in message
    assert "install graphviz" in message and "-o graph.dot or -o graph.mmd" in message


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_rendering_with_graphviz(tmp_path: Path) -> None:
    output = tmp_path / "graph.svg"
    render(dependency_graph(load(EXAMPLE)).to_dot(), str(output), "svg")
    assert "<svg" in output.read_text() and "torch.nn.Sequential" in output.read_text()


def test_a_malformed_interpolation_is_an_error_where_it_is_written(tmp_path: Path) -> None:
    with pytest.raises(InterpolationError) as caught:
        graph_of(tmp_path, "a:\n  _target_: builtins.dict\n  b: $<@x\n")
    assert (caught.value.path, caught.value.source) == ("a.b", f"{tmp_path / 'conf.yaml'}:3")


def test_sharing_inside_list_and_dict_arguments_and_interpolated_keys(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        """
        encoders: {big: {_target_: builtins.dict}, small: {_target_: builtins.dict}}
        pick: small
        model:
          _target_: builtins.dict
          listed: "$<oc.create:[$<@encoders.big>]>"
          chosen: $<@encoders.$<pick>>
        """,
    )
    shares = [(e.origin and e.origin.path, e.dest.path, e.path) for e in graph.edges if e.kind == "share"]
    assert shares == [("model", "encoders.big", "model.listed"), ("model", "encoders.small", "model.chosen")]
