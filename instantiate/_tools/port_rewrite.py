"""The rewrite ``port`` makes in one Python module: Hydra/OmegaConf calls to this library's, by libcst.

Names are matched by what they are (libcst's qualified names: ``hydra.utils.instantiate`` however
it was imported), so comments and formatting survive and an unrelated ``main`` is left alone.
What has no safe counterpart is left as it is and reported as a `Note` (line, what, what to do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider

# hydra.utils and the like: the same name, from instantiate
SAME_NAME = {
    "hydra.utils.instantiate": "instantiate",
    "hydra.utils.call": "call",
    "hydra.utils.get_class": "get_class",
    "hydra.utils.get_method": "get_method",
    "hydra.utils.get_object": "get_object",
    "hydra.utils.get_original_cwd": "get_original_cwd",
    "hydra.utils.to_absolute_path": "to_absolute_path",
    "hydra.main": "main",
    "omegaconf.DictConfig": "Config",
    "omegaconf.dictconfig.DictConfig": "Config",
    "omegaconf.ListConfig": "Config",
    "omegaconf.listconfig.ListConfig": "Config",
}
HYDRA_CONFIG = "hydra.core.hydra_config.HydraConfig"
OMEGACONF = ("omegaconf.OmegaConf", "omegaconf.omegaconf.OmegaConf")
OPEN_FLAGS = tuple(
    f"omegaconf.{where}{name}"
    for where in ("", "omegaconf.")
    for name in ("open_dict", "read_write", "flag_override")
)
MISSING = ("omegaconf.MISSING", "omegaconf.omegaconf.MISSING")
# HydraConfig.get().<a>.<b> -> run_info().<ours>
RUN_NAMES = {
    ("runtime", "output_dir"): "dir",
    ("runtime", "cwd"): "cwd",
    ("runtime", "choices"): "choices",
    ("job", "name"): "name",
    ("job", "num"): "job_num",
    ("job", "id"): "job_id",
    ("job", "override_dirname"): "override_dirname",
    ("job", "config_name"): "config_name",
    ("overrides", "task"): "overrides",
    ("sweep", "dir"): "sweep_dir",
    ("mode",): "mode",
}
_FLAGS_REMOVED = ("set_struct", "set_readonly")
_SIMPLE = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


@dataclass(frozen=True)
class Note:
    """Something ``port`` did not rewrite, where it is, and what to do by hand."""

    line: int
    what: str
    todo: str


class Porter(cst.CSTTransformer):
    """Rewrites one module; `needed` collects the names to import from instantiate."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider)

    def __init__(self, defined: set[str]) -> None:
        super().__init__()
        self.defined = defined  # module-level names: an import of ours must not shadow them
        self.needed: dict[str, str] = {}  # our name -> the local name it is imported as
        self.notes: list[Note] = []
        self.run_info_names: set[str] = set()  # variables holding HydraConfig.get()
        self.changed = False

    # -- helpers ----------------------------------------------------------------------------
    def names(self, node: cst.CSTNode) -> set[str]:
        try:
            return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}
        except KeyError:
            return set()

    def line(self, node: cst.CSTNode) -> int:
        try:
            return int(self.get_metadata(PositionProvider, node).start.line)
        except KeyError:
            return 0

    def note(self, node: cst.CSTNode, what: str, todo: str) -> None:
        self.notes.append(Note(self.line(node), what, todo))

    def ours(self, name: str) -> cst.Name:
        """The local name of ``instantiate.<name>``: aliased when the module defines it itself."""
        local = self.needed.get(name)
        if local is None:
            local = name if name not in self.defined else f"instantiate_{name}"
            self.needed[name] = local
        self.changed = True
        return cst.Name(local)

    def is_hydra_config_get(self, node: cst.BaseExpression) -> bool:
        """``HydraConfig.get()``, ``HydraConfig.instance().cfg.hydra`` style roots, or a variable of one."""
        if isinstance(node, cst.Name) and node.value in self.run_info_names:
            return True
        if isinstance(node, cst.Call) and not node.args:
            return f"{HYDRA_CONFIG}.get" in self.names(node.func)
        return False

    # -- calls ------------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        names = self.names(original.func)
        if f"{HYDRA_CONFIG}.get" in names and not original.args:
            return cst.Call(func=self.ours("run_info"))
        if names & {f"{HYDRA_CONFIG}.initialized", f"{HYDRA_CONFIG}.instance", HYDRA_CONFIG}:
            self.note(
                original, "HydraConfig() / HydraConfig.initialized()", "use run_info() (raises outside a run)"
            )
            return updated
        if "hydra.main" in names:
            return self.port_main(original, updated)
        for omegaconf in OMEGACONF:
            prefix = omegaconf + "."
            method = next((n[len(prefix) :] for n in names if n.startswith(prefix)), None)
            if method is not None:
                return self.port_omegaconf(method, original, updated)
        if names & {
            "hydra.compose",
            "hydra.initialize",
            "hydra.initialize_config_dir",
            "hydra.initialize_config_module",
        }:
            self.note(
                original,
                "hydra.initialize(...) / hydra.compose(...)",
                "write compose(config_name, overrides=[...], config_dir=<the directory>) from instantiate",
            )
        if names & {"hydra.core.config_store.ConfigStore.instance"}:
            self.note(
                original,
                "ConfigStore.instance().store(...)",
                "write store(name, node, group=..., package=...)",
            )
        return updated

    def port_main(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        args = []
        for index, arg in enumerate(updated.args):
            keyword = (
                arg.keyword.value if arg.keyword else ("config_path", "config_name", "version_base")[index]
            )
            if keyword == "version_base":
                continue
            if keyword == "config_path":
                keyword = "config_dir"
            args.append(
                arg.with_changes(
                    keyword=cst.Name(keyword),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
                    ),
                )
            )
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(func=self.ours("main"), args=args)

    def port_omegaconf(self, method: str, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if method in _FLAGS_REMOVED:
            parent = self.get_metadata(ParentNodeProvider, original, None)
            if isinstance(parent, cst.Expr):
                return updated  # a statement of its own: removed with its line
        args = list(updated.args)
        positional = [a for a in args if a.keyword is None]
        keywords = {a.keyword.value: a for a in args if a.keyword is not None}

        def on(first: cst.Arg, name: str, rest: list[cst.Arg]) -> cst.Call:
            value = first.value
            if not isinstance(value, _SIMPLE):
                value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            self.changed = True
            return cst.Call(func=cst.Attribute(value=value, attr=cst.Name(name)), args=_commas(rest))

        if method == "to_container" and positional and set(keywords) <= {"resolve"}:
            resolve = keywords.get("resolve") or cst.Arg(cst.Name("False"), keyword=cst.Name("resolve"))
            resolve = _keyword(resolve, "resolve")
            return on(positional[0], "to_dict", [resolve])
        if method == "to_yaml" and positional and set(keywords) <= {"resolve"}:
            return on(positional[0], "to_yaml", [_keyword(a, name) for name, a in keywords.items()])
        if method == "select" and len(positional) >= 2 and set(keywords) <= {"default"}:
            default = keywords.get("default") or cst.Arg(cst.Name("None"), keyword=cst.Name("default"))
            return on(
                positional[0],
                "select",
                [positional[1].with_changes(keyword=None), _keyword(default, "default")],
            )
        if method == "is_missing" and len(positional) == 2 and not keywords:
            return on(positional[0], "is_missing", [positional[1]])
        if method == "create" and len(args) <= 1 and not keywords:
            if args and isinstance(args[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                return cst.Call(cst.Attribute(self.ours("Config"), cst.Name("from_yaml")), args=_commas(args))
            return cst.Call(self.ours("Config"), args=_commas(args))
        if method == "load" and len(positional) == 1 and not keywords:
            return cst.Call(self.ours("load"), args=_commas(args))
        if method in ("register_new_resolver", "register_resolver") and set(keywords) <= {
            "replace",
            "use_cache",
        }:
            if "use_cache" in keywords:
                self.note(
                    original, "register_new_resolver(use_cache=...)", "results are not cached: drop use_cache"
                )
            kept = [a for a in args if not (a.keyword and a.keyword.value == "use_cache")]
            return cst.Call(self.ours("register_resolver"), args=_commas(kept))
        self.note(
            original,
            f"OmegaConf.{method}(...)",
            _OMEGACONF_TODO.get(method, "no counterpart: see 'Coming from Hydra' in the README"),
        )
        return updated

    # -- attributes and names ---------------------------------------------------------------
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        chain: list[str] = []
        node: cst.BaseExpression = original
        while isinstance(node, cst.Attribute):
            chain.insert(0, node.attr.value)
            node = node.value
            if self.is_hydra_config_get(node):
                break
        if not self.is_hydra_config_get(node):
            renamed: cst.BaseExpression = self.rename(original, updated)
            return renamed
        key = tuple(chain)
        if any(key[:cut] in RUN_NAMES for cut in range(1, len(key))):
            return updated  # run_info().choices.model: its inner part is already ported
        if key in RUN_NAMES:
            root: Any = updated
            for _ in chain:
                root = root.value
            self.changed = True
            return cst.Attribute(value=root, attr=cst.Name(RUN_NAMES[key]))
        parent = self.get_metadata(ParentNodeProvider, original, None)
        if not isinstance(parent, cst.Attribute):  # the whole chain, once
            self.note(
                original,
                f"HydraConfig.get().{'.'.join(chain)}",
                "run_info() has dir, name, cwd, choices, overrides, config_name, mode, job_num, job_id, "
                "sweep_dir, override_dirname; read other hydra: keys with ${hydra:...} in the config",
            )
        return updated

    def rename(self, original: cst.BaseExpression, updated: Any) -> Any:
        names = self.names(original)
        for name in names:
            if name in SAME_NAME and name != "hydra.main":
                return self.ours(SAME_NAME[name])
        if names & set(MISSING):
            self.changed = True
            return cst.SimpleString('"???"')
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        parent = self.get_metadata(ParentNodeProvider, original, None)
        if isinstance(parent, (cst.ImportAlias, cst.Attribute, cst.FunctionDef, cst.ClassDef)):
            return updated  # an import line is rewritten as a whole; an attribute by its parent
        if isinstance(parent, cst.Decorator):  # @hydra.main without a call: Hydra needs one too
            return updated
        if original.value in self.run_info_names:
            return updated
        renamed: cst.BaseExpression = self.rename(original, updated)
        return renamed

    # -- statements -------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and self.is_hydra_config_get(node.value)
        ):
            self.run_info_names.add(node.targets[0].target.value)

    def leave_With(self, original: cst.With, updated: cst.With) -> Any:
        kept = [
            new
            for old, new in zip(original.items, updated.items)
            if not (set(OPEN_FLAGS) & self.names(_func(old.item)))
        ]
        if len(kept) == len(updated.items):
            return updated
        self.changed = True
        if kept:  # configs here are always open: only the other context managers remain
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(items=kept)
        body = updated.body
        if isinstance(body, cst.IndentedBlock):
            return cst.FlattenSentinel(body.body)
        return cst.FlattenSentinel([cst.SimpleStatementLine(body=[*body.body])])

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> Any:
        if len(original.body) == 1 and isinstance(original.body[0], cst.Expr):
            call = original.body[0].value
            if isinstance(call, cst.Call) and self.flag_call(call):
                self.changed = True
                return cst.RemoveFromParent()  # struct and read-only flags: our configs are open
        return updated

    def flag_call(self, call: cst.Call) -> bool:
        names = self.names(call.func)
        return any(f"{o}.{m}" in names for o in OMEGACONF for m in _FLAGS_REMOVED)


_OMEGACONF_TODO = {
    "merge": "compose configs from groups with compose(), or merge the plain dicts: Config({**a, **b})",
    "save": "write cfg.to_yaml() to the file",
    "update": "set the value: cfg.select(parent)[key] = value",
    "to_container": "cfg.to_dict(resolve=...); structured_config_mode, enum_to_str, throw_on_missing differ",
    "to_object": "instantiate(cfg) builds the objects; cfg.to_dict() gives plain data",
    "structured": "Config(dataclasses.asdict(obj)), or store(name, the dataclass) for a schema",
    "to_yaml": "cfg.to_yaml(resolve=...) (sort_keys differs)",
    "select": "cfg.select(key, default=...)",
}


def _func(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.func if isinstance(expr, cst.Call) else expr


def _keyword(arg: cst.Arg, name: str) -> cst.Arg:
    no_space = cst.SimpleWhitespace("")
    equal = cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space)
    return arg.with_changes(keyword=cst.Name(name), equal=equal)


def _commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Arguments joined by ', ' with no trailing comma."""
    out = []
    for index, arg in enumerate(args):
        last = index == len(args) - 1
        comma = cst.MaybeSentinel.DEFAULT if last else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        out.append(arg.with_changes(comma=comma))
    return out


__all__ = ["Note", "Porter"]
