"""The code blocks of the docs and the READMEs as tests (Sybil), so no example goes stale.

The checkout's conftest.py hands `SYBIL` to pytest.

Each page runs top to bottom in a new empty directory (with the checkout's `examples/` linked in),
in one namespace, as a reader typing along would. What a block does depends on its first line
and language (see docs/testing-docs.md):

- a block whose first line is `# file: PATH` is written to PATH, not run;
- `python` runs; a `>>>` session is a doctest (ELLIPSIS on);
- `console` (and `text` starting with `$ `) runs each `$ command` in bash and compares the
  transcript with the block after normalising both (`normalise`);
- `yaml` / `toml` must parse; one whose first line is `# PATH` of an existing file (a `python`
  one too) must match that file (`...` stands for omitted lines).
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from shipped import shipped_state
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

CHECKOUT = Path(__file__).resolve().parent.parent
HOME_SHOWN = "~/instantiate"  # how the docs show the directory a command ran in

# The normaliser, applied to both the expected and the actual output before they are compared:
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T/_]\d\d[:-]\d\d[:-]\d\d(?:[,.]\d+)?(?:_\d+)?")
DURATION = re.compile(r" *(?<![\w.])\d+(?:\.\d+)?s\b")  # with the spaces that align it


def normalise(text: str, directories: Iterable[Path]) -> str:
    """Paths, dates and durations that change from run to run, made equal.

    The page's working directory and the checkout read as ~/instantiate; a date with a time of
    day (2026-11-26 17:01:51,320 and 2026-11-26/17-01-51, with a _1 suffix) as <time>; a duration
    in seconds (0.2s), with the spaces before it that align a column, as " <secs>"; spaces at
    the end of a line are dropped.
    """
    for directory in directories:
        text = text.replace(str(directory), HOME_SHOWN)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return DURATION.sub(" <secs>", TIMESTAMP.sub("<time>", text))


def differs(want: str, got: str) -> str | None:
    """None when `got` matches `want` (`...` in `want` stands for any text), else a report."""
    checker = doctest.OutputChecker()
    if checker.check_output(want, got, doctest.ELLIPSIS):
        return None
    return checker.output_difference(doctest.Example("", want), got, doctest.ELLIPSIS)


# -- blocks --------------------------------------------------------------------------------------
FILE_HEADER = re.compile(r"# file: (\S+)\n")
SHOWN_FILE = re.compile(r"# (\S+\.(?:ya?ml|toml|py))\n")


def write_file(example: Example) -> None:
    """`# file: PATH` blocks: write the block (header included) into the page's directory."""
    cwd = Path(example.namespace["_docs_cwd"])
    path = cwd / FILE_HEADER.match(example.parsed).group(1)  # type: ignore[union-attr]
    if not path.resolve().is_relative_to(cwd.resolve()):
        raise AssertionError(f"{path}: a page writes only inside its own directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.parsed)


def run_transcript(example: Example) -> str | None:
    """Run each `$ command` of the block in bash; its transcript must match the block."""
    block = str(example.parsed)
    cwd = Path(example.namespace["_docs_cwd"])
    script = []
    for line in block.splitlines():
        if line.startswith("$ "):  # print the prompt line, keeping $? for `echo $?`
            quoted = "'" + line.replace("'", "'\\''") + "'"
            script.append(f"__s=$?; printf '%s\\n' {quoted}; (exit $__s); {line[2:]}")
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        PYTHONPATH=os.pathsep.join([str(cwd), str(CHECKOUT)]),
        PYTHONUNBUFFERED="1",  # stdout and stderr interleave as on a terminal
        COLUMNS="100",
    )
    env.pop("CI", None)
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=env,
        text=True,
        timeout=600,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    shown = (cwd, cwd.resolve(), CHECKOUT)
    return differs(normalise(block, shown), normalise(result.stdout, shown))


def check_data(example: Example) -> str | None:
    """A block headed `# PATH` of a shipped file must match it; other YAML and TOML must parse."""
    source, language = str(example.parsed), example.region.lexemes.get("arguments")
    shown = SHOWN_FILE.match(source)
    if shown is None:
        if language == "toml":
            pytest.importorskip("tomllib").loads(source)  # Python 3.11+
        else:
            yaml.safe_load(source)
        return None
    path = Path(example.namespace["_docs_cwd"]) / shown.group(1)
    if not path.is_file():
        return f"the block shows {shown.group(1)}, which does not exist"
    report = differs(source[shown.end() :], path.read_text())
    return report and f"{shown.group(1)} is not what the block shows:\n{report}"


# Blocks shown but not run: `sh` commands that install or run for minutes (CI runs the README's),
# `text` that is not a transcript (a directory tree, a format), and unlabelled blocks.
SHOWN_ONLY = {"sh", "text", ""}


def unknown_language(example: Example) -> str:
    language = example.region.lexemes["arguments"]
    return f"a ```{language} block is neither run nor known as shown-only: use console to run it, or sh/text"


class PythonBlocks(PythonCodeBlockParser):
    """Python blocks run (a `>>>` block as a doctest), except `# file:` blocks, which are written."""

    def __init__(self) -> None:
        super().__init__(doctest_optionflags=doctest.ELLIPSIS)

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in super().__call__(document):
            if isinstance(region.parsed, str):
                shown = SHOWN_FILE.match(region.parsed)
                if FILE_HEADER.match(region.parsed):
                    region.evaluator = write_file
                elif shown and (CHECKOUT / shown.group(1)).is_file():  # a shipped file, excerpted
                    region.evaluator = check_data
            yield region


class OtherBlocks:
    """Console transcripts, data files and `# file:` blocks of any other language."""

    lexer = FencedCodeBlockLexer(language=r"[\w-]*", mapping={"language": "arguments", "source": "source"})

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            language, source = region.lexemes["arguments"], region.lexemes["source"]
            if language == "python":
                continue
            if FILE_HEADER.match(source):
                region.evaluator = write_file
            elif language == "console" or (language == "text" and source.startswith("$ ")):
                region.evaluator = run_transcript
            elif language in ("yaml", "toml"):
                region.evaluator = check_data
            elif language in SHOWN_ONLY:
                continue
            else:
                region.evaluator = unknown_language
            region.parsed = source
            yield region


# -- pages ---------------------------------------------------------------------------------------
def setup(namespace: dict[str, Any]) -> None:
    """A page runs in a new directory (on sys.path), with the checkout's examples/ linked in."""
    cwd = Path(tempfile.mkdtemp(prefix="docs-"))
    (cwd / "examples").symlink_to(CHECKOUT / "examples")
    cleanup = ExitStack()
    namespace.update(_docs_cwd=str(cwd), _docs_cleanup=cleanup)
    cleanup.enter_context(shipped_state())  # a page's registrations end with the page
    cleanup.callback(shutil.rmtree, cwd)
    cleanup.callback(forget_modules_from, [cwd, CHECKOUT / "examples"])
    cleanup.callback(os.chdir, os.getcwd())
    cleanup.callback(sys.path.__setitem__, slice(None), list(sys.path))
    sys.path.insert(0, str(cwd))
    os.chdir(cwd)


def forget_modules_from(directories: list[Path]) -> None:
    """Unimport what a page imported from its own files, so later tests import it afresh."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and any(Path(file).resolve().is_relative_to(d.resolve()) for d in directories):
            del sys.modules[name]


def teardown(namespace: dict[str, Any]) -> None:
    """Back to where the tests were, leaving nothing behind."""
    namespace["_docs_cleanup"].close()


SYBIL = Sybil(
    parsers=[PythonBlocks(), OtherBlocks(), SkipParser()],
    path=str(CHECKOUT),
    patterns=["docs/*.md", "docs/*/*.md", "README.md", "examples/*/README.md"],
    setup=setup,
    teardown=teardown,
)
