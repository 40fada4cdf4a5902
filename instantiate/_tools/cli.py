"""``python -m instantiate`` (also the ``instantiate`` command): look at a config without running it.

    instantiate show conf/train.yaml model=resnet --resolve     # the composed config
    instantiate check conf/train.yaml --allow 'torch.*'          # every problem, nothing built
    instantiate graph conf/train.yaml -o graph.svg               # targets and $<@...> sharing
    instantiate schema conf/train.yaml -o train.schema.json      # JSON Schema for editors
    instantiate port src --write                                 # rewrite Hydra/OmegaConf code

Exit status: 0 when all is well, 1 for problems or errors, 2 for a wrong command line.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .._errors import ConfigError

if TYPE_CHECKING:
    import argparse

    from .._config.nodes import Config

OK, PROBLEMS, USAGE = 0, 1, 2


class CommandError(Exception):
    """A failure that is not about a config (a file that cannot be written, no Graphviz)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 problems or errors, 2 usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        from .._version import version_line

        print(version_line())
        return OK
    parser, commands = _parsers()
    try:
        if not args or args[0] not in commands:
            parser.parse_args(args)  # prints the help, or the usage error
            return USAGE
        options = commands[args[0]].parse_intermixed_args(args[1:])
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else USAGE
    if getattr(options, "config", None):
        options.config = os.path.normpath(options.config)
    run: Callable[[argparse.Namespace], int] = options.run
    try:
        return run(options)
    except (ConfigError, CommandError, OSError) as error:
        if options.traceback:
            traceback.print_exc()
        else:
            print(f"error: {error}", file=sys.stderr)
        return PROBLEMS


def console() -> int:
    """The ``instantiate`` command: like ``python -m instantiate``, it imports from the working directory."""
    # A console script starts with its own bin directory on sys.path, where `python -m` has the
    # working directory; targets like src.models.Net live there. Python's -P / PYTHONSAFEPATH
    # (safe_path) asks for neither, and is respected.
    if not getattr(sys.flags, "safe_path", False) and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return main()


# -- the commands ---------------------------------------------------------------------------
def show(options: argparse.Namespace) -> int:
    """Print the composed config (or one node of it) as YAML."""
    import yaml

    if options.origin:
        return _show_origin(options)
    cfg = compose_file(options.config, options.overrides)
    if not options.all and not cfg.is_sequence() and "_run_" in cfg:
        del cfg["_run_"]
    node: Any = cfg
    if options.node:
        node = _select(cfg, options.node, options.resolve)
    from .._config.nodes import Config

    if isinstance(node, Config):
        text = node.to_yaml(resolve=options.resolve)
    else:
        text = yaml.safe_dump(node, allow_unicode=True, default_flow_style=False)
        text = text[: -len("...\n")] if text.endswith("\n...\n") else text
    print(text, end="")
    return OK


def _show_origin(options: argparse.Namespace) -> int:
    """``show --origin``: every value with the file:line, override or defaults entry that set it."""
    from .origin import compose_with_origins, origin_text

    if options.node or options.resolve:
        raise CommandError("--origin shows the whole config as written; leave out --node and --resolve")
    file = Path(options.config)
    if not file.is_file():
        compose_file(options.config, options.overrides)  # the same error as show
    if file.suffix != ".yaml":
        raise CommandError(f"--origin composes a .yaml file; {options.config} is not one")
    origins = compose_with_origins(file.stem, options.overrides, config_dir=str(file.parent))
    print(origin_text(origins, show_run=options.all), end="")
    return OK


def check(options: argparse.Namespace) -> int:
    """List every problem building the config would meet; build nothing."""
    from .check import Checker, Problem, as_in_a_run

    _import_modules(options.imports)
    notes: list[Problem] = []
    try:
        cfg = compose_file(options.config, options.overrides)
    except ConfigError as error:  # composition stops at its first problem (a schema, an override)
        problems = [Problem.of(error)]
        checker = None
    else:
        checker = Checker(as_in_a_run(cfg), allow=options.allow, allow_missing=options.allow_missing)
        problems = checker.check()
        notes = checker.notes
    for problem in problems:
        print(_with_import_hint(problem))
    for note in notes:
        print(f"note: {note}")
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        print(f"{count} in {options.config}", file=sys.stderr)
        return PROBLEMS
    assert checker is not None
    unchecked = f" ({len(notes)} not checkable statically: see the notes)" if notes else ""
    print(
        f"ok: {checker.targets} target{'s' if checker.targets != 1 else ''}, "
        f"{checker.values} value{'s' if checker.values != 1 else ''} checked in {options.config}{unchecked}"
    )
    return OK


_IMPORT_HINT = (
    " If your code registers it (@register, store()), pass --import MODULE so check runs that code first."
)


def _with_import_hint(problem: Any) -> str:
    """A problem as printed; a name that code may register or store says how check gets to see it."""
    text = str(problem)
    if "it is not a registered name" in problem.message or problem.message.startswith(
        "could not find the config"
    ):
        text += _IMPORT_HINT
    return text


def graph(options: argparse.Namespace) -> int:
    """Print or write the graph of target nodes and $<@...> sharing."""
    from .graph import IMAGE_FORMATS, RenderError, dependency_graph, render

    output = options.output
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    image = suffix if suffix in IMAGE_FORMATS else None
    fmt = options.format or ("mermaid" if suffix in ("mmd", "mermaid") else "dot")
    if image and fmt != "dot":
        raise CommandError(
            f"a {fmt} graph cannot be rendered to .{image} here; use --format dot (rendered with "
            "Graphviz), or write the text with -o graph.mmd and render it with mermaid-cli"
        )
    cfg = compose_file(options.config, options.overrides)
    built = dependency_graph(cfg)
    text = built.to_mermaid() if fmt == "mermaid" else built.to_dot()
    if image:
        try:
            render(text, output, image)
        except RenderError as error:
            raise CommandError(str(error)) from error
    elif output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return OK


def schema(options: argparse.Namespace) -> int:
    """Write a JSON Schema for a config file, or for one node of a target."""
    from .schema import config_schema, target_schema, targets_in_directory

    _import_modules(options.imports)
    what = options.what
    if os.path.exists(what) or what.endswith((".yaml", ".yml")):
        cfg = compose_file(what, options.overrides)
        if not cfg.is_sequence() and "_run_" in cfg:
            del cfg["_run_"]
        others = targets_in_directory(os.path.dirname(os.path.abspath(what)))
        result = config_schema(cfg, title=os.path.basename(what), allow=options.allow, extra_targets=others)
    else:
        if options.overrides:
            raise CommandError(f"overrides apply to a config file, and {what!r} names a target")
        result = target_schema(what, allow=options.allow)
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    if options.output:
        Path(options.output).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return OK


# -- shared pieces --------------------------------------------------------------------------
def port(options: argparse.Namespace) -> int:
    """Rewrite a Hydra/OmegaConf codebase to this library: a diff, or the files with --write."""
    from .port import run_port

    return run_port(Path(options.path), options.write, sys.stdout, sys.stderr)


def compose_file(path: str, overrides: Sequence[str] = ()) -> Config:
    """Compose a config file with its defaults list and ``overrides``, as ``@main`` would.

    The file's directory is the config directory, so its groups are found beside it.
    """
    from .._compose.compose import compose_config
    from .._config.nodes import load

    path = os.path.normpath(path)  # messages say configs/x.yaml, not src/../configs/./x.yaml
    file = Path(path)
    if not file.is_file():
        where = f" (looked in {os.getcwd()})" if not file.is_absolute() else ""
        raise ConfigError(f"no config file {path}{where}")
    if file.suffix != ".yaml":
        if overrides:
            raise ConfigError(
                f"{path}: only a .yaml file is composed with overrides and a defaults list",
                hint=f"rename it to {file.stem}.yaml",
            )
        return load(file)
    # with a ported hydra: section, as the app composes it: ${hydra:run.dir} resolves, as in a run
    return compose_config(file.stem, overrides=list(overrides), config_dir=str(file.parent))


def _select(cfg: Config, path: str, resolve: bool) -> Any:
    """The node or value at ``path``; a value is shown as written unless ``resolve``."""
    from .._config.nodes import Config
    from .._config.paths import format_path, parse_path

    up, keys = parse_path(path)
    if up >= 0 or not keys:
        raise ConfigError(f"--node takes a path from the root, like model.encoder, not {path!r}")
    parent = cfg.select(format_path(keys[:-1])) if len(keys) > 1 else cfg
    if not isinstance(parent, Config):
        raise ConfigError(f"{format_path(keys[:-1])} is {parent!r}, not a node with keys", path=path)
    if resolve:
        return parent[keys[-1]]
    raw = parent._get_raw(keys[-1])
    return parent[keys[-1]] if isinstance(raw, (dict, list)) else raw


def _import_modules(names: Sequence[str] | None) -> None:
    """Import modules that register targets (``--import myproj.models``), from the working directory."""
    if not names:
        return
    import importlib

    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:
            raise CommandError(f"--import {name}: {type(error).__name__}: {error}") from error


# -- the command line -----------------------------------------------------------------------
def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    import argparse

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("config", metavar="CONFIG", help="a YAML config file; its directory holds its groups")
    config.add_argument("overrides", nargs="*", help="overrides: key=value, group=option, +key=value, ~key")
    allow = argparse.ArgumentParser(add_help=False)
    allow.add_argument(
        "--allow",
        action="append",
        metavar="PATTERN",
        help="allow only targets matching PATTERN (repeatable); others are refused before import",
    )
    allow.add_argument(
        "--import",
        dest="imports",
        action="append",
        metavar="MODULE",
        help="import MODULE first, for targets it registers (repeatable)",
    )

    parser = argparse.ArgumentParser(
        prog="instantiate",
        description="Look at a config without running it: show, check, graph, schema; port Hydra code.",
        epilog="Exit status: 0 ok, 1 problems or errors, 2 wrong command line.",
    )
    parser.add_argument("-V", "--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    cmd = sub.add_parser(
        "show", parents=[config, common], help="print the composed config as YAML", description=show.__doc__
    )
    cmd.add_argument("--resolve", action="store_true", help="resolve interpolations ($<@...> stay)")
    cmd.add_argument("--node", metavar="PATH", help="print only the node at PATH, like model.encoder")
    cmd.add_argument("--all", action="store_true", help="include the _run_ section that composition adds")
    cmd.add_argument(
        "--origin",
        action="store_true",
        help="beside every value, where it came from: file:line, the override, or the defaults entry",
    )
    cmd.set_defaults(run=show)

    cmd = sub.add_parser(
        "check",
        parents=[config, allow, common],
        help="list every problem, building nothing",
        description=(
            "List every problem building the config would meet, one per line as 'path (file:line): "
            "message', without building anything: targets that do not resolve or are not allowed, "
            "keywords and values that do not fit the signatures, interpolations that do not "
            "resolve, cycles, and ??? left unset."
        ),
    )
    cmd.add_argument("--allow-missing", action="store_true", help="accept ??? values (given later)")
    cmd.set_defaults(run=check)

    cmd = sub.add_parser(
        "graph",
        parents=[config, common],
        help="the target nodes and their $<@...> sharing, as DOT or Mermaid",
        description=(
            "The tree of target nodes (path and target) and the $<@...> sharing between them "
            "(dashed, labelled with the attribute read), as Graphviz DOT or Mermaid."
        ),
    )
    cmd.add_argument("--format", choices=("dot", "mermaid"), help="default: from -o's suffix, else dot")
    cmd.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE: .dot/.gv or .mmd as text; .svg/.png/.pdf rendered by Graphviz's dot",
    )
    cmd.set_defaults(run=graph)

    cmd = sub.add_parser(
        "schema",
        parents=[allow, common],
        help="a JSON Schema (2020-12) from the targets' signatures",
        description=(
            "A JSON Schema (draft 2020-12) from the targets' signatures, for YAML editors: of a "
            "whole CONFIG file, or of one node for TARGET (a dotted path or registered name)."
        ),
    )
    cmd.add_argument("what", metavar="CONFIG|TARGET", help="a YAML config file, or a target: torch.nn.Linear")
    cmd.add_argument("overrides", nargs="*", help="overrides, for a CONFIG")
    cmd.add_argument("-o", "--output", metavar="FILE", help="write the schema to FILE instead of stdout")
    cmd.set_defaults(run=schema)

    cmd = sub.add_parser(
        "port",
        parents=[common],
        help="rewrite a Hydra/OmegaConf codebase to this library (a diff; --write writes it)",
        description=(
            "Rewrite the Python files under PATH from Hydra/OmegaConf to instantiate: imports, "
            "@hydra.main, hydra.utils, HydraConfig.get(), OmegaConf calls, open_dict. Prints a "
            "unified diff, or writes the files with --write, then lists file:line of everything "
            "left to port by hand. Configs are not touched. Needs libcst (instantiate[port])."
        ),
    )
    cmd.add_argument("path", metavar="PATH", help="a directory (every .py file under it) or one file")
    cmd.add_argument("--write", action="store_true", help="write the ported files instead of a diff")
    cmd.set_defaults(run=port)
    return parser, dict(sub.choices)
