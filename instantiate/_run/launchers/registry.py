"""The launchers by name: built in, from plugins, or chosen by a ported Hydra config.

Built-in: ``basic`` (this process, one job after another), ``processes`` (a local pool of worker
processes), ``submitit`` (SLURM), ``submitit-local`` (submitit's local executor) and ``ray``.
A launcher's options are the mapping ``_run_.<launcher name>`` (``_run_.processes.n_jobs=4``),
passed as keyword arguments to its constructor; ``submitit-local`` falls back to
``_run_.submitit``, so a SLURM config can be tried on one machine. A ported Hydra config's
``hydra/launcher`` choice (``joblib``, ``submitit_slurm``, ``submitit_local``, ``ray``) picks the
matching launcher, with the options it understands from ``hydra.launcher``.

Another package adds a launcher under the entry-point group ``instantiate.launchers``; the group
is read only when a name is not built in::

    # mypkg/launchers.py
    from concurrent.futures import ThreadPoolExecutor
    from instantiate.launchers import run_job

    class ThreadLauncher:
        def __init__(self, max_workers: int = 4):          # options: _run_.threads.max_workers=8
            self.max_workers = max_workers

        def launch(self, jobs, reporter):
            with ThreadPoolExecutor(self.max_workers) as pool:
                for outcome in pool.map(run_job, jobs):
                    reporter.finished(outcome)

    # pyproject.toml of mypkg
    [project.entry-points."instantiate.launchers"]
    threads = "mypkg.launchers:ThreadLauncher"

and ``python train.py -m lr=0.1,0.01 --launcher threads`` runs the sweep through it.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, Callable

from ..._build.registry import Registry
from ..._errors import ConfigError, closest, did_you_mean
from .basic import BasicLauncher
from .processes import ProcessLauncher


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A factory that imports its launcher's module only when the launcher is chosen."""

    def factory(**options: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module, __package__), name)(**options)

    factory.__name__ = factory.__qualname__ = name
    factory.__module__ = f"{__package__}{module}"
    factory.launcher_class = (module, name)  # type: ignore[attr-defined]
    return factory


ENTRY_POINT_GROUP = "instantiate.launchers"
launchers = Registry("launchers", entry_points=ENTRY_POINT_GROUP)
BUILT_IN = ("basic", "processes", "submitit", "submitit-local", "ray")
launchers.register("basic", BasicLauncher)
launchers.register("processes", ProcessLauncher)
launchers.register("submitit", _lazy(".submitit", "SlurmLauncher"))
launchers.register("submitit-local", _lazy(".submitit", "LocalLauncher"))
launchers.register("ray", _lazy(".ray", "RayLauncher"))

# A ported Hydra config picks its launcher with the hydra/launcher group.
HYDRA_LAUNCHERS = {
    "basic": "basic",
    "joblib": "processes",
    "submitit_slurm": "submitit",
    "submitit_local": "submitit-local",
    "ray": "ray",
}
# Launchers that honour every option of their Hydra counterpart: an unknown one is refused.
_EVERY_OPTION = ("submitit", "submitit-local")
# Launchers that read another's options when they have none of their own.
_OPTIONS_FALLBACK = {"submitit-local": "submitit"}


def make_launcher(name: str, options: Mapping[str, Any], where: str | None = None) -> Any:
    """Construct launcher ``name`` with ``options`` (found at ``where``, for error messages)."""
    factory = launchers.lookup(name) if isinstance(name, str) and name else None
    if factory is None:
        names = launchers.names()
        raise ConfigError(
            f"unknown launcher {name!r}.{did_you_mean(name, names)} Available launchers: {', '.join(names)}",
            path="_run_.launcher",
            hint="choose one with --launcher NAME; a package adds one under the entry-point "
            f"group {ENTRY_POINT_GROUP!r}",
        )
    where = where or f"_run_.{name}"
    known = launcher_options(factory)
    for key in options:
        if known is not None and key not in known:
            near = closest(key, known)
            raise ConfigError(
                f"launcher {name!r} has no option {key!r}."
                + (f" Did you mean {near!r}?" if near else "")
                + f" Its options: {', '.join(known) or '(none)'}",
                path=f"{where}.{key}",
            )
    try:
        launcher = factory(**options)
    except ConfigError as error:
        if error.path is None:
            error.path = where
        elif error.path in options or error.path in (known or ()):  # the option at fault, by name
            error.path = f"{where}.{error.path}"
        raise
    if not callable(getattr(launcher, "launch", None)):
        raise ConfigError(
            f"launcher {name!r} ({type(launcher).__qualname__}) has no launch(jobs, reporter) method",
            path="_run_.launcher",
        )
    return launcher


def launcher_options(factory: Any) -> list[str] | None:
    """The keyword options a launcher takes, or None when it takes any (``**options``)."""
    spec = getattr(factory, "launcher_class", None)
    if spec is not None:  # our own module: cheap to import, submitit or ray is not imported yet
        import importlib

        factory = getattr(importlib.import_module(spec[0], __package__), spec[1])
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def configured_launcher(cfg: Any) -> tuple[str, dict[str, Any], str]:
    """The launcher a composed config asks for: its name, its options, and where they are."""
    run = cfg.get("_run_") or {}
    name = run.get("launcher")
    ported = False
    if name is None:
        choice = (run.get("choices") or {}).get("hydra/launcher")
        name = HYDRA_LAUNCHERS.get(str(choice), "basic") if choice is not None else "basic"
        ported = choice is not None
    name = str(name)
    for key in (name, _OPTIONS_FALLBACK.get(name)):
        if key is not None and key in run and run[key] is not None:
            options = run[key]
            if not hasattr(options, "to_dict"):
                raise ConfigError(
                    f"the options of launcher {name!r} must be a mapping, not {options!r}",
                    path=f"_run_.{key}",
                )
            return name, dict(options.to_dict()), f"_run_.{key}"
    if ported:
        return name, _hydra_options(cfg, name), "hydra.launcher"
    return name, {}, f"_run_.{name}"


def _hydra_options(cfg: Any, name: str) -> dict[str, Any]:
    """The options a launcher understands from a ported ``hydra.launcher`` section."""
    section = cfg.select("hydra.launcher", default=None)
    factory = launchers.lookup(name)
    if section is None or not hasattr(section, "keys") or factory is None:
        return {}
    known = launcher_options(factory) or []
    options = {}
    for key in section:
        if key == "_target_" or (key not in known and name not in _EVERY_OPTION):
            continue  # Hydra's class, and what other ported launchers have that ours do not
        try:
            value = section[key]
        except ConfigError:  # ${hydra.job.name} and the like exist only in Hydra's own config
            continue
        options[key] = value.to_dict() if hasattr(value, "to_dict") else value
    return options


__all__ = [
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "HYDRA_LAUNCHERS",
    "configured_launcher",
    "launcher_options",
    "launchers",
    "make_launcher",
]
