"""The dependency graph of a config: its target nodes, how they nest, and the ``$<@...>`` sharing.

Nothing is imported or built. ``Walk`` goes over the raw tree in config order and evaluates
interpolations with an ``Unbuilt`` stand-in where a built object would go, so every
``$<@path>`` is followed to the node it names (through plain references too) and recorded as an
edge. ``Graph`` holds the result: its build-order cycles, and its text as Graphviz DOT or Mermaid.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any, NamedTuple

from .._config.expressions import inner_exprs
from .._config.grammar import BuiltRef, Call, Concat, Expr, Ref, parse
from .._config.interpolation import Evaluator, Placeholder
from .._config.nodes import Config
from .._config.paths import Link, link_keys, node_source, path_of
from .._config.provenance import CONTAINERS, MAPPINGS, SEQUENCES, source_of
from .._config.recursion import allow_deep_recursion
from .._errors import ConfigError, InterpolationError

# A top-level section Hydra's own runner reads (launcher and sweeper settings): its _target_
# entries are never built by instantiate, so they are not target nodes.
RUNNER_SECTION = "hydra"
IMAGE_FORMATS = ("svg", "png", "pdf")


class Unbuilt(Placeholder):
    """Stands where the object built from a node would be; a chain on it reads and calls nothing."""

    __slots__ = ("chain", "link")

    def __init__(self, link: Link, chain: str = "") -> None:
        self.link = link
        self.chain = chain  # what is read from the built object: "parameters()", "" for the object

    def follow(self, attrs: tuple[tuple[str, bool], ...]) -> Unbuilt:
        """What ``$<@path:attrs>`` would give: another stand-in, the chain written down."""
        chain = ".".join(name + ("()" if call else "") for name, call in attrs)
        return Unbuilt(self.link, f"{self.chain}.{chain}" if self.chain else chain)

    def __repr__(self) -> str:
        where = path_of(self.link) or "<root>"
        return f"<built {where}{':' + self.chain if self.chain else ''}>"


class Unknown:
    """A value that only building can tell (a resolver given a built object)."""

    def __repr__(self) -> str:
        return "<known only when built>"


UNKNOWN = Unknown()


class TargetNode:
    """A mapping with ``_target_``: where it is, what it names, and the target node it sits in."""

    __slots__ = ("index", "lazy", "link", "name", "parent", "path", "position", "recursive", "source")

    def __init__(self, index: int, link: Link, parent: TargetNode | None, position: int) -> None:
        data = link[0]
        self.index = index
        self.link = link
        self.parent = parent
        self.position = position  # in the walk's order over all values, for sorting reports
        self.path = path_of(link)
        self.name = str(data["_target_"])  # as written: a name, a path or an interpolation
        self.source = node_source(link)
        self.lazy = data.get("_lazy_") is True
        self.recursive = data.get("_recursive_") is not False

    def __repr__(self) -> str:
        return f"<node {self.path or '<root>'}: {self.name}>"


class Edge(NamedTuple):
    """``origin`` needs ``dest`` built first (``origin`` is None for a value outside any target).

    ``kind`` is ``"nest"`` (dest sits inside origin), ``"share"`` (a ``$<@...>`` reference) or
    ``"copy"`` (a plain ``$<path>`` to a node, which builds a copy of it). ``counts`` is False
    where building origin would not build dest (inside ``_recursive_: false``).
    """

    origin: TargetNode | None
    dest: TargetNode
    kind: str
    text: str  # the reference as written, "" for nesting
    path: str  # where the reference is written
    source: str | None
    counts: bool

    @property
    def via(self) -> str:
        """The attribute chain of a ``$<@path:chain>`` reference, "" when there is none."""
        expr = parse(self.text) if self.text else None
        if isinstance(expr, BuiltRef):
            return ".".join(name + ("()" if call else "") for name, call in expr.attrs)
        return ""


class Graph:
    """Target nodes in config order and the edges between them."""

    def __init__(self, nodes: list[TargetNode], edges: list[Edge]) -> None:
        self.nodes = nodes
        self.edges = edges

    def cycles(self) -> list[list[Edge]]:
        """Each cycle of build dependencies once, as the edges around it from its earliest node."""
        allow_deep_recursion()
        needs: dict[int, list[Edge]] = {}
        for edge in self.edges:
            if edge.counts and edge.origin is not None and not edge.origin.lazy:
                needs.setdefault(edge.origin.index, []).append(edge)
        state: dict[int, int] = {}  # 1 on the current path, 2 done
        path: list[Edge] = []
        found: dict[frozenset[int], list[Edge]] = {}

        def visit(node: TargetNode) -> None:
            state[node.index] = 1
            for edge in needs.get(node.index, ()):
                mark = state.get(edge.dest.index)
                if mark == 1:
                    start = next((i for i, e in enumerate(path) if e.origin is edge.dest), len(path))
                    cycle = [*path[start:], edge]
                    members = frozenset(e.dest.index for e in cycle)
                    found.setdefault(members, _rotated(cycle))
                elif mark is None:
                    path.append(edge)
                    visit(edge.dest)
                    path.pop()
            state[node.index] = 2

        for node in self.nodes:
            if node.index not in state:
                visit(node)
        return sorted(found.values(), key=lambda cycle: cycle[0].origin.position)  # type: ignore[union-attr]

    # -- text ---------------------------------------------------------------------------------
    def to_dot(self) -> str:
        """Graphviz DOT: boxes for target nodes, solid arrows to nested ones, dashed for sharing."""
        lines = [
            "digraph config {",
            "  rankdir=LR;",
            '  node [shape=box, style=rounded, fontname="Helvetica"];',
            '  edge [fontname="Helvetica", fontsize=10];',
        ]
        for node in self.nodes:
            label = f"{_dot_escape(node.path or '<root>')}\\n{_dot_escape(node.name)}"
            lines.append(f'  n{node.index} [label="{label}"];')
        for ident, path in self._value_nodes().items():
            lines.append(f'  {ident} [label="{_dot_escape(path)}", shape=plain];')
        for node in self.nodes:
            if node.parent is not None:
                lines.append(f"  n{node.parent.index} -> n{node.index};")
        for edge in self._shares():
            attrs = ["style=dashed"]
            if edge.via:
                attrs.append(f'label="{_dot_escape(edge.via)}"')
            lines.append(f"  {self._origin_id(edge)} -> n{edge.dest.index} [{', '.join(attrs)}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_mermaid(self) -> str:
        """A Mermaid flowchart: the same nodes and edges as ``to_dot``."""
        lines = ["flowchart LR"]
        for node in self.nodes:
            label = f"{_mermaid_escape(node.path or '<root>')}<br/>{_mermaid_escape(node.name)}"
            lines.append(f'  n{node.index}["{label}"]')
        for ident, path in self._value_nodes().items():
            lines.append(f'  {ident}(["{_mermaid_escape(path)}"])')
        for node in self.nodes:
            if node.parent is not None:
                lines.append(f"  n{node.parent.index} --> n{node.index}")
        for edge in self._shares():
            label = f'|"{_mermaid_escape(edge.via)}"|' if edge.via else ""
            lines.append(f"  {self._origin_id(edge)} -.->{label} n{edge.dest.index}")
        return "\n".join(lines) + "\n"

    def _shares(self) -> Iterator[Edge]:
        seen = set()
        for edge in self.edges:
            if edge.kind != "share":
                continue
            key = (self._origin_id(edge), edge.dest.index, edge.via)
            if key not in seen:
                seen.add(key)
                yield edge

    def _value_nodes(self) -> dict[str, str]:
        """References written outside any target node start from a node for the value's path."""
        return {self._origin_id(e): e.path for e in self._shares() if e.origin is None}

    def _origin_id(self, edge: Edge) -> str:
        if edge.origin is not None:
            return f"n{edge.origin.index}"
        return "v_" + "".join(c if c.isalnum() else "_" for c in edge.path)


def _rotated(cycle: list[Edge]) -> list[Edge]:
    """The same cycle, starting from the node that comes first in the config."""
    first = min(range(len(cycle)), key=lambda i: cycle[i].origin.position)  # type: ignore[union-attr]
    return cycle[first:] + cycle[:first]


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mermaid_escape(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render(dot_text: str, output: str, image_format: str) -> None:
    """Render DOT text to an image file with Graphviz's ``dot``; a clear error when it is absent."""
    dot = shutil.which("dot")
    if dot is None:
        raise RenderError(
            f"writing {output} needs Graphviz's 'dot' program, which is not on PATH: install graphviz "
            "(apt-get install graphviz, brew install graphviz, conda install graphviz), or write the "
            "graph as text with -o graph.dot or -o graph.mmd"
        )
    done = subprocess.run(
        [dot, f"-T{image_format}", "-o", output], input=dot_text, text=True, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RenderError(f"dot could not render {output}: {done.stderr.strip() or done.returncode}")


class RenderError(Exception):
    """Rendering an image failed: no ``dot`` on PATH, or ``dot`` refused."""


# -- the walk ---------------------------------------------------------------------------------
class Walk:
    """One pass over a config in config order, collecting target nodes and their edges.

    Subclasses hook in at ``target`` (each target node, before what it holds) and ``child``
    (each value held by a mapping or list). This base class evaluates only the ``$<@...>``
    references (what the graph needs); an error in one is raised, since the graph would be wrong.
    """

    def __init__(self, config: Any) -> None:
        config = config if isinstance(config, Config) else Config(config)
        self.tree = config._tree
        self.link = config._link
        self.nodes: list[TargetNode] = []
        self.by_id: dict[int, TargetNode] = {}
        self.edges: list[Edge] = []
        self.pending: list[_Reference] = []  # connected to their nodes once all nodes are known
        self.position = 0
        self.evaluator = Evaluator(self.tree, Config._view, self._built, None)
        # Where the value being evaluated sits: (owner, path, source, counts).
        self._context: tuple[TargetNode | None, str, str | None, bool] = (None, "", None, False)

    def run(self) -> Graph:
        """Walk the whole tree, then connect each reference to the node it names."""
        allow_deep_recursion()
        data = self.link[0]
        if self.is_target(data, self.link):
            self.visit_target(self.link, None, counts=False)
        else:
            self.visit_container(self.link, None, counts=False)
        for ref in self.pending:
            dest = self.by_id.get(id(ref.link[0]))
            if dest is not None:  # None: a node the walk does not treat as a target (hydra section)
                self.edges.append(Edge(ref.owner, dest, ref.kind, ref.text, ref.path, ref.source, ref.counts))
        return Graph(self.nodes, self.edges)

    def is_target(self, data: Any, link: Link) -> bool:
        return is_target_node(data, link)

    # -- visiting -----------------------------------------------------------------------------
    def visit_target(self, link: Link, parent: TargetNode | None, counts: bool) -> None:
        self.position += 1
        node = TargetNode(len(self.nodes), link, parent, self.position)
        self.nodes.append(node)
        self.by_id[id(link[0])] = node
        if parent is not None:
            self.edges.append(Edge(parent, node, "nest", "", node.path, node.source, counts))
        self.target(node)
        for key, raw in list(link[0].items()):
            # A node's own values are evaluated when it is built; what sits in its containers
            # only when it builds recursively.
            self.visit_child(link, key, raw, node, counts=True, nested_counts=node.recursive)

    def visit_container(self, link: Link, owner: TargetNode | None, counts: bool) -> None:
        data = link[0]
        items = data.items() if data.__class__ in MAPPINGS else enumerate(data)
        for key, raw in list(items):
            self.visit_child(link, key, raw, owner, counts=counts, nested_counts=counts)

    def visit_child(
        self, holder: Link, key: Any, raw: Any, owner: TargetNode | None, counts: bool, nested_counts: bool
    ) -> None:
        self.position += 1
        self._context = (owner, path_of(holder, key), source_of(holder[0], key), counts)
        self.child(holder, key, raw, owner)
        if raw.__class__ in CONTAINERS:
            link = (raw, key, holder)
            if self.is_target(raw, link):
                self.visit_target(link, owner, counts=nested_counts)
            else:
                self.visit_container(link, owner, counts=nested_counts)

    # -- hooks --------------------------------------------------------------------------------
    def target(self, node: TargetNode) -> None:
        """Called for each target node before the values it holds."""

    def child(self, holder: Link, key: Any, raw: Any, owner: TargetNode | None) -> None:
        """Called for each value; here: follow the ``$<@...>`` references in strings."""
        if raw.__class__ is str and "$" in raw:
            for unit in built_units(self.parse(raw, holder, key)):
                self.resolve(unit.text, holder, key)

    # -- evaluating ---------------------------------------------------------------------------
    def resolve(self, text: str, holder: Link, key: Any) -> tuple[Any, Link | None]:
        """Evaluate ``text`` (stored at ``holder[key]``) as the builder would, building nothing."""
        return self.evaluator.resolve(text, holder, key)

    def parse(self, raw: str, holder: Link, key: Any) -> str | Expr:
        """``raw`` parsed; a malformed interpolation is an error at ``holder[key]``."""
        try:
            return parse(raw)
        except ConfigError as error:
            if error.path is None:
                error.path, error.source = path_of(holder, key), source_of(holder[0], key)
            raise

    def evaluate(self, raw: str, holder: Link, key: Any) -> tuple[Any, Link | None]:
        """The value of a stored string; ``UNKNOWN`` when it passes a built object to a resolver."""
        expr = self.parse(raw, holder, key)
        if isinstance(expr, Expr) and _resolver_gets_built(expr):
            for unit in evaluable_units(expr):
                self.resolve(unit.text, holder, key)
            return UNKNOWN, None
        value, link = self.resolve(raw, holder, key)
        if link is not None:
            owner, path, source, counts = self._context
            for node_link in top_targets(link):
                self.pending.append(_Reference(owner, node_link, "copy", raw, path, source, counts))
        return value, link

    def _built(self, link: Link, text: str) -> Unbuilt:
        """The evaluator's ``build``: record the reference, and stand in for the object."""
        node = link[0]
        if node.__class__ not in MAPPINGS or "_target_" not in node:
            raise InterpolationError(
                f"{text} refers to {path_of(link) or 'the root'}, which has no _target_ to build",
                hint=f"use $<{path_of(link)}> to refer to its value instead",
            )
        owner, path, source, counts = self._context
        self.pending.append(_Reference(owner, link, "share", text, path, source, counts))
        return Unbuilt(link)


class _Reference(NamedTuple):
    """An edge whose destination is known by its link until the walk has seen every node."""

    owner: TargetNode | None
    link: Link
    kind: str
    text: str
    path: str
    source: str | None
    counts: bool


def dependency_graph(config: Any) -> Graph:
    """The target nodes of ``config`` and the ``$<@...>`` references between them."""
    return Walk(config).run()


def is_target_node(data: Any, link: Link) -> bool:
    """Whether the raw container at ``link`` is a node that building would call."""
    if data.__class__ not in MAPPINGS or "_target_" not in data:
        return False
    keys = link_keys(link)
    return not (keys and keys[0] == RUNNER_SECTION)


def top_targets(link: Link) -> list[Link]:
    """The node at ``link`` if it is a target, else the outermost target nodes inside it."""
    data = link[0]
    if is_target_node(data, link):
        return [link]
    if data.__class__ not in CONTAINERS:
        return []
    found = []
    items = data.items() if data.__class__ in MAPPINGS else enumerate(data)
    for key, raw in items:
        if raw.__class__ in CONTAINERS:
            found += top_targets((raw, key, link))
    return found


def contains_target(data: Any) -> bool:
    """Whether a raw container is, or holds at any depth, a mapping with ``_target_``."""
    if data.__class__ in MAPPINGS:
        return "_target_" in data or any(contains_target(v) for v in data.values())
    if data.__class__ in SEQUENCES:
        return any(contains_target(v) for v in data)
    return False


def built_units(expr: Any) -> Iterator[BuiltRef]:
    """Every ``$<@...>`` inside a parsed string."""
    if isinstance(expr, BuiltRef):
        yield expr
        return
    for part in inner_exprs(expr):  # text, arguments, list and dict literals, interpolated keys
        yield from built_units(part)


def evaluable_units(expr: Any) -> Iterator[Expr]:
    """The parts of ``expr`` that can be evaluated without giving a resolver a built object."""
    if isinstance(expr, Concat):
        for part in expr.parts:
            yield from evaluable_units(part)
    elif isinstance(expr, Call) and _resolver_gets_built(expr):
        for arg in expr.args:
            yield from evaluable_units(arg)
    elif isinstance(expr, (Ref, BuiltRef, Call)):
        yield expr


def _resolver_gets_built(expr: Any) -> bool:
    if isinstance(expr, Call):
        return any(isinstance(a, Expr) and any(True for _ in built_units(a)) for a in expr.args) or any(
            _resolver_gets_built(a) for a in expr.args
        )
    if isinstance(expr, Concat):
        return any(_resolver_gets_built(p) for p in expr.parts)
    return False


__all__ = [
    "IMAGE_FORMATS",
    "UNKNOWN",
    "Edge",
    "Graph",
    "RenderError",
    "TargetNode",
    "Unbuilt",
    "Walk",
    "contains_target",
    "dependency_graph",
    "is_target_node",
    "render",
]
