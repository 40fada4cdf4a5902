"""``@main``: turn ``task(cfg)`` into a command-line program, as ``@hydra.main`` does.

@main(config_dir="conf", config_name="train")
def train(cfg): ...

python train.py model=resnet optimizer.lr=0.1      # one run in a new directory
python train.py -m optimizer.lr=0.1,0.01            # a sweep
python train.py --cfg job --resolve                 # print the composed config
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence

from .._config.nodes import Config
from .._errors import ConfigError
from .settings import RUN_SECTIONS, RunSettings

TYPE_CHECKING = False  # no `import typing` at run time: start-up (see benchmarks/startup.py)
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, TypeVar

    Task = TypeVar("Task", bound=Callable[..., Any])

_INFO = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")  # Hydra's --info


def main(
    config_dir: str | os.PathLike[str] | None = None,
    config_name: str | None = None,
    *,
    allow: Sequence[str] | None = None,
) -> Callable[[Task], Task]:
    """Decorate ``task(cfg)``: composes the config from the command line and runs it.

    ``config_dir`` is relative to the file that defines ``task``. ``allow`` restricts targets
    like ``allowed_targets`` for everything the task instantiates; the CLI's ``--allow`` can
    only narrow it further. Called with a ``Config`` (``train(cfg)``), the decorated function
    simply runs the task on it (under ``allow``).
    """
    if callable(config_dir):  # @main without parentheses: the task arrived as config_dir
        raise TypeError("@main needs its arguments: write @main(config_dir=..., config_name=...)")

    def decorate(task: Task) -> Task:
        app = App(task, config_dir, config_name, allow)

        @functools.wraps(task)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not (args or kwargs):
                return app.run_command_line(sys.argv[1:])
            if app.allow is None:
                return task(*args, **kwargs)
            from .._build.policy import allowed_targets

            # Here, not in the job: wherever the task runs (a sweep's worker too) the author's
            # policy holds, and --allow, applied by the job around this call, can only narrow
            # it, as nested policies must all agree.
            with allowed_targets(*app.allow):
                return task(*args, **kwargs)

        wrapper.app = app  # type: ignore[attr-defined]
        app.entry = wrapper  # what worker processes call: picklable by its module-level name
        return wrapper  # type: ignore[return-value]

    return decorate


class App:
    """One decorated task and where its configs live."""

    def __init__(
        self,
        task: Callable[..., Any],
        config_dir: str | os.PathLike[str] | None,
        config_name: str | None,
        allow: Sequence[str] | None,
    ) -> None:
        self.task = task
        self.entry: Callable[..., Any] = task
        self.config_name = config_name
        self.allow = list(allow) if allow is not None else None
        self.name = _job_name(task)
        self.config_dir = _config_dir(task, config_dir)
        self.search_path: list[str] = []  # -cd/--config-dir adds to it

    def with_flags(self, options: argparse.Namespace) -> App:
        """This app as Hydra's ``-cn``, ``-cp`` and ``-cd`` flags change it, for one command line."""
        if not (options.config_name or options.config_path or options.config_dir):
            return self
        import copy

        app = copy.copy(self)
        if options.config_name:
            app.config_name = options.config_name
        if options.config_path:
            app.config_dir = _config_dir(self.task, options.config_path)
        if options.config_dir:
            directory = os.path.abspath(options.config_dir)
            if not os.path.isdir(directory):
                raise ConfigError(
                    f"--config-dir {options.config_dir!r}: there is no directory {directory}",
                    hint="-cd/--config-dir adds a directory of configs to the search path",
                )
            app.search_path = [*self.search_path, directory]
        return app

    # -- the command line ---------------------------------------------------------------------
    def run_command_line(self, argv: Sequence[str]) -> Any:
        """Parse ``argv`` and do what it asks; a ConfigError becomes one message and exit 1."""
        if argv[:1] == ["--complete"]:  # the words to complete may look like flags: no argparse
            from .completion import candidates

            sys.stdout.write("".join(f"{word}\n" for word in candidates(self, list(argv[1:]))))
            raise SystemExit(0)  # what the shell reads must end here, whatever follows train()
        if not any(arg.startswith("-") for arg in argv):  # overrides only: no argparse to import
            return self.dispatch_handled(plain_options(argv))
        parser = self.parser()
        argv = _info_option(list(argv))
        # overrides may follow options too (-m lr=1,2 --launcher processes _run_.processes.n_jobs=2),
        # which argparse alone would refuse as "unrecognized"; no override starts with '-'
        options, rest = parser.parse_known_args(list(argv))
        if any(arg.startswith("-") for arg in rest):
            parser.error(f"unrecognized arguments: {' '.join(arg for arg in rest if arg.startswith('-'))}")
        options.overrides = [*options.overrides, *rest]
        return self.dispatch_handled(options)

    def dispatch_handled(self, options: Any) -> Any:
        """``dispatch``, a ConfigError becoming one message and exit 1 (unless --traceback)."""
        try:
            return self.dispatch(options)
        except ConfigError as error:
            if options.traceback:
                raise
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(1) from None

    def parser(self) -> argparse.ArgumentParser:
        import argparse  # only when a program actually parses its command line

        parser = argparse.ArgumentParser(
            prog=f"{self.name}",
            add_help=False,
            description=f"Run {self.name} with a config composed from {self.config_dir}.",
        )
        parser.add_argument(
            "overrides", nargs="*", help="overrides: key=value, group=option, +key=v, ~key, a=1,2 (sweep)"
        )
        for flags, options in _OPTIONS:
            parser.add_argument(*flags, **options)
        return parser

    def dispatch(self, options: argparse.Namespace) -> Any:
        if options.version:  # the distribution's metadata, read only now (instantiate._version)
            from .._version import version_line

            print(version_line())
            return None
        app = self.with_flags(options)
        overrides = list(options.overrides)
        if options.launcher:
            overrides.append(f"++_run_.launcher={options.launcher}")
        if options.help or options.hydra_help:
            from .app_text import help_text, hydra_help_text

            print(hydra_help_text(app) if options.hydra_help else help_text(app, overrides, options.resolve))
            return None
        if options.shell_completion:
            from .completion import completion_script

            script = os.path.basename(sys.argv[0]) if sys.argv[0] not in ("", "-c") else None
            print(completion_script(options.shell_completion, app.name, script), end="")
            raise SystemExit(0)  # the output is eval'ed: nothing may follow it
        if options.info:
            from .app_text import info_text

            print(info_text(app, overrides, options.info))
            return None
        if options.cfg:
            text = app.config_text(overrides, options.cfg, options.resolve, options.run_dir, options.package)
            print(text, end="")
            return None
        allow = options.allow  # main(allow=...) is applied by the task's wrapper, around this
        cfg = None if options.multirun else app.compose(overrides)
        if options.multirun or (not options.run and cfg is not None and RunSettings.of(cfg).multirun):
            from .multirun import run_sweep

            result = run_sweep(app, overrides, dry_run=options.dry_run, verbose=options.verbose, allow=allow)
            if result.exit_code:  # a job failed (1) or the sweep was interrupted (130)
                raise SystemExit(result.exit_code)
            return result
        return app.run_once(overrides, run_dir=options.run_dir, verbose=options.verbose, allow=allow, cfg=cfg)

    # -- what the commands do -----------------------------------------------------------------
    def compose(self, overrides: Sequence[str]) -> Any:
        """The composed config for these overrides, with ``_run_.name`` set unless already given."""
        from .._compose.compose import compose_config
        from .._compose.run_values import mirror_into_hydra

        if self.config_name is None:
            raise ConfigError(
                f"{self.name} has no config_name",
                hint="pass config_name to @main(config_dir=..., config_name=...)",
            )
        cfg = compose_config(  # with the ported hydra: section, which the run reads
            self.config_name,
            overrides=list(overrides),
            config_dir=self.config_dir,
            search_path=self.search_path or None,
        )
        run = cfg["_run_"]
        run["cwd"] = os.getcwd()  # $<run:cwd>, Hydra's runtime.cwd: where the run was started
        if run.get("name") is None:  # _run_.name=exp1 (or a ported hydra.job.name) renames the run
            ported = cfg.select("hydra.job.name", default=None) if "hydra" in cfg else None
            run["name"] = ported or self.name
        mirror_into_hydra(cfg)
        return cfg

    def run_once(
        self,
        overrides: Sequence[str],
        run_dir: str | None = None,
        verbose: bool = False,
        allow: Any = None,
        cfg: Any = None,
    ) -> Any:
        """One run: compose (unless ``cfg`` is the composed config), make its directory, record
        it, and call the task."""
        from .jobs import Job, execute
        from .rundir import make_directory

        cfg = self.compose(overrides) if cfg is None else cfg
        directory = make_directory(run_dir or RunSettings.of(cfg).run_dir)
        return execute(Job.prepare(self, cfg, list(overrides), directory, verbose=verbose, allow=allow))

    def config_text(
        self,
        overrides: Sequence[str],
        which: str,
        resolve: bool,
        run_dir: str | None = None,
        package: str | None = None,
    ) -> str:
        """The composed config as YAML: ``job`` without the run's own sections (resolved against
        them), ``hydra`` the ported ``hydra:`` section alone, ``all`` everything; ``package``
        picks one key of it, as Hydra's ``-p`` does."""
        import yaml

        from .._compose.run_values import mirror_into_hydra
        from .rundir import planned_directory

        cfg = self.compose(overrides)
        if resolve:  # show $<run:dir> as the directory a run started now would get; none is made
            cfg["_run_"]["dir"] = str(planned_directory(run_dir or RunSettings.of(cfg).run_dir).resolve())
            mirror_into_hydra(cfg)
        view = cfg if which != "hydra" else cfg.get("hydra", Config({}))
        if package:
            view = view.select(package, default=None)
            if view is None:
                raise ConfigError(
                    f"--package {package!r}: the {which} config has no such key",
                    path=package,
                    hint=f"keys at the top: {', '.join(map(str, cfg.get('hydra', cfg).keys()))}",
                )
        data = view.to_dict(resolve=resolve) if isinstance(view, Config) else view
        if which == "job" and not package:
            for key in RUN_SECTIONS:
                data.pop(key, None)
        elif which == "all" and not package and "hydra" in data:
            data = {"hydra": data.pop("hydra"), **data}  # first, as Hydra prints it
        text = str(yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True))
        text = text[: -len("...\n")] if text.endswith("\n...\n") else text  # a single value
        if package and isinstance(view, Config):
            text = f"# @package {package}\n{text}"
        return text

    def repository(self, overrides: Sequence[str] = ()) -> Any:
        """The config search path as ``compose`` sees it: with a ported ``hydra.searchpath``."""
        from .._compose.compose import _extend_search_path
        from .._compose.overrides import parse_overrides
        from .._compose.searchpath import Repository

        repo = Repository.from_search_path(self.config_dir, self.search_path or None)
        _extend_search_path(repo, self.config_name, parse_overrides(list(overrides)))
        return repo

    def groups(self) -> dict[str, list[str]]:
        """Every config group on the search path and its options."""
        repo = self.repository()
        return {group: repo.options(group) for group in repo.all_groups() if repo.options(group)}

    def help_text(self) -> str:
        """The help ``--help`` prints (a ported ``hydra.help.template`` when the config has one)."""
        from .app_text import help_text

        return help_text(self, [], False)

    def info_text(self, overrides: Sequence[str]) -> str:
        """What ``--info`` prints: the search path, the defaults tree, the merge order, the choices."""
        from .app_text import info_text

        return info_text(self, overrides, "all")


_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (  # App.parser()'s options
    (("-h", "--help"), {"action": "store_true", "help": "show this help, the config groups and options"}),
    (("--hydra-help",), {"action": "store_true", "help": "show the flags and the run's own settings"}),
    (("--version",), {"action": "store_true", "help": "show the version of instantiate and exit"}),
    (("-c", "--cfg"), {"choices": ("job", "hydra", "all"), "help": "print the composed config and exit"}),
    (("-p", "--package"), {"help": "with --cfg: print only this key of the config (db, model.net)"}),
    (("--resolve",), {"action": "store_true", "help": "with --cfg: resolve interpolations"}),
    (
        ("-i", "--info"),
        {"nargs": "?", "const": "all", "choices": _INFO, "help": f"print [{'|'.join(_INFO)}]"},
    ),
    (("-m", "--multirun"), {"action": "store_true", "help": "run every combination of the sweep overrides"}),
    (
        ("-r", "--run"),
        {"action": "store_true", "help": "one run, even if the config says hydra.mode: MULTIRUN"},
    ),
    (("-cn", "--config-name"), {"help": "the primary config instead of the one @main names"}),
    (("-cp", "--config-path"), {"help": "the config directory instead of @main's (relative to the script)"}),
    (("-cd", "--config-dir"), {"help": "add a directory of configs to the search path"}),
    (("--run-dir",), {"help": "the run directory (default: _run_.dir, else outputs/YYYY-MM-DD/HH-MM-SS)"}),
    (("--launcher",), {"help": "multirun launcher: basic, processes, submitit, submitit-local, ray"}),
    (("--dry-run",), {"action": "store_true", "help": "with -m: list the jobs without running them"}),
    (("--allow",), {"action": "append", "metavar": "PATTERN", "help": "allow only targets matching PATTERN"}),
    (("-v", "--verbose"), {"action": "store_true", "help": "log at DEBUG level"}),
    (("--traceback",), {"action": "store_true", "help": "show the full traceback of a config error"}),
    (("--shell-completion",), {"choices": ("bash", "zsh"), "help": "print a shell completion script"}),
)


def plain_options(argv: Sequence[str]) -> argparse.Namespace:
    """What ``App.parser()`` reads from overrides without options, without importing argparse."""
    from types import SimpleNamespace

    defaults = {
        flags[-1].lstrip("-").replace("-", "_"): False if options.get("action") == "store_true" else None
        for flags, options in _OPTIONS
    }
    return SimpleNamespace(overrides=list(argv), **defaults)  # type: ignore[return-value]


def _info_option(argv: list[str]) -> list[str]:
    """``--info`` before an override means ``--info all``, not an unknown sub-option."""
    out = []
    for index, arg in enumerate(argv):
        out.append(arg)
        following = argv[index + 1] if index + 1 < len(argv) else None
        if arg in ("-i", "--info") and following is not None and following not in _INFO:
            out.append("all")
    return out


def _job_name(task: Callable[..., Any]) -> str:
    module = sys.modules.get(task.__module__)
    file = getattr(module, "__file__", None)
    if task.__module__ == "__main__" and isinstance(file, str):
        return os.path.splitext(os.path.basename(file))[0]
    return str(task.__name__)


def _config_dir(task: Callable[..., Any], config_dir: str | os.PathLike[str] | None) -> str | None:
    if config_dir is None:
        return None
    text = os.fspath(config_dir)
    if text.startswith("pkg://") or os.path.isabs(text):
        return text
    module = sys.modules.get(task.__module__)
    file = getattr(module, "__file__", None)
    base = os.path.dirname(os.path.realpath(file)) if file else os.getcwd()
    return os.path.join(base, text)
