"""Canary modules for the attack tests: they leave a file behind when imported or run.

``Canaries(tmp_path)`` writes a fresh package (a new name per test, so nothing is cached):

- ``<pkg>.models``: allowed-looking classes: ``Model`` (``parameters()``, ``name``),
  ``Holder`` (a public ``os`` attribute: the os module), ``Runner`` (stores a callback and
  calls it in ``run()``), ``Store`` (keeps whatever it is given);
- ``<pkg>.lazyhost``: a module whose ``__getattr__`` imports the top-level ``<pkg>_evil``;
- ``<pkg>_evil``: writes ``imported-<pkg>_evil`` when imported; its ``run()`` writes ``ran``;
- ``<pkg>.broken``: a ``__getattr__`` that raises ``RuntimeError`` (``ImportError`` for ``imp``).

``touch`` is a shell command that would leave ``touched`` behind; ``untouched()`` is true when
no canary file exists and the evil module was never imported.
"""

from __future__ import annotations

import sys
import textwrap
from itertools import count
from pathlib import Path

_numbers = count()


class Canaries:
    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / f"canary_src_{next(_numbers)}"
        self.marks = tmp_path / "marks"
        self.marks.mkdir(exist_ok=True)
        self.pkg = f"canarypkg_{next(_numbers)}"
        self.evil = f"{self.pkg}_evil"
        package = self.root / self.pkg
        package.mkdir(parents=True)
        marks = str(self.marks)
        files = {
            package / "__init__.py": "",
            package / "models.py": f"""
                import os

                class Model:
                    name = "net"

                    def __init__(self, layers=1):
                        self.layers = layers

                    def parameters(self):
                        return [self.layers]

                class Holder:
                    def __init__(self):
                        self.os = os
                        self.env = os.environ

                class Runner:
                    def __init__(self, callback, argument="touch {marks}/touched"):
                        self.callback, self.argument = callback, argument

                    def run(self):
                        return self.callback(self.argument)

                class Store:
                    def __init__(self, *args, **kwargs):
                        self.args, self.kwargs = args, kwargs
            """,
            package / "lazyhost.py": f"""
                import importlib

                def __getattr__(name):
                    return importlib.import_module("{self.evil}")
            """,
            package / "broken.py": """
                def __getattr__(name):
                    if name == "imp":
                        raise ImportError("the lazy loader could not import imp")
                    raise RuntimeError(f"lazy loader failed on {name}")
            """,
            self.root / f"{self.evil}.py": f"""
                open({marks!r} + "/imported-{self.evil}", "w").close()

                def run(*args):
                    open({marks!r} + "/ran", "w").close()
            """,
        }
        for path, text in files.items():
            path.write_text(textwrap.dedent(text))
        sys.path.insert(0, str(self.root))
        self.touch = f"touch {marks}/touched"

    def untouched(self) -> bool:
        return not any(self.marks.iterdir()) and self.evil not in sys.modules

    def close(self) -> None:
        sys.path.remove(str(self.root))
        for name in [n for n in sys.modules if n.startswith(self.pkg)]:
            del sys.modules[name]
