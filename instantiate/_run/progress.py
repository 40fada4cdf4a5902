"""Sweep progress on stderr: a line per job start and end, and a bar on a terminal.

Lines read ``[3/20] ok       1.2s  #2 lr=0.1 batch=32``: jobs ended so far, the status, the
time the job took, its number and its sweep values. On a terminal (and not under CI, where
``CI`` is set) start lines give way to a bar redrawn under the end lines; while jobs run,
what this process prints (a job's log lines, ray's forwarded output) is drawn above the bar,
and the last bar stays on its own line.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_BAR_WIDTH = 24


class Progress:
    """Reports the jobs of one sweep as they start and end."""

    def __init__(self, total: int, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.bar = wants_bar(self.stream) if bar is None else bar
        self.total = total
        self.ended = 0
        self.failed = 0
        self.running: list[str] = []
        self.began = time.monotonic()
        self.drawn = False  # the bar is on the last line and the cursor after it

    def started(self, num: int, label: str) -> None:
        self.running.append(f"#{num}")
        if self.bar:
            self._draw()
        else:
            self._line(f"{self._count()} start {'':>9}  #{num} {label}".rstrip())

    def finished(self, num: int, label: str, status: str, elapsed: float, error: Any = None) -> None:
        self.ended += 1
        self.failed += status != "ok"
        if f"#{num}" in self.running:
            self.running.remove(f"#{num}")
        shown = "ok" if status == "ok" else status.upper()
        line = f"{self._count()} {shown:<6} {duration(elapsed):>8}  #{num} {label}".rstrip()
        if error is not None:
            line += f"  {error}"
        self._line(line)

    def note(self, text: str) -> None:
        """A line that is not about one job (the sweep's start and end)."""
        self._line(text)

    def close(self) -> None:
        """Leave the last bar on its own line; what follows is plain lines."""
        if self.bar:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self.bar = self.drawn = False

    @contextmanager
    def above(self) -> Iterator[None]:
        """While jobs run: this process's stdout and stderr write above the bar, not over it."""
        if not self.bar:
            yield
            return
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = (_AboveBar(stream, self) if _isatty(stream) else stream for stream in saved)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved

    def clear(self) -> None:
        """Take the bar off its line, so other text can be written there."""
        if self.drawn:
            self.stream.write("\r\033[K")
            self.drawn = False

    # -- drawing ------------------------------------------------------------------------------------
    def _count(self) -> str:
        width = len(str(self.total))
        return f"[{self.ended:>{width}}/{self.total}]"

    def _line(self, text: str) -> None:
        if self.bar:
            self.clear()
            self.stream.write(text + "\n")
            self._draw()
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _draw(self) -> None:
        filled = _BAR_WIDTH * self.ended // max(self.total, 1)
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        failed = f"  {self.failed} failed" if self.failed else ""
        running = f"  running {' '.join(self.running[:4])}" if self.running else ""
        elapsed = duration(time.monotonic() - self.began)
        self.stream.write(f"\r\033[K[{bar}] {self.ended}/{self.total}{failed}  {elapsed}{running}")
        self.stream.flush()
        self.drawn = True


class _AboveBar:
    """A stream (stdout, stderr) whose lines go above the progress bar: clear it, write, redraw."""

    above_bar = True  # launchers that run jobs in other processes pass their output here (processes)

    def __init__(self, stream: TextIO, progress: Progress) -> None:
        self._stream = stream
        self._progress = progress

    def write(self, text: str) -> int:
        if not text:
            return 0
        self._progress.clear()
        written = self._stream.write(text)
        if text.endswith("\n"):
            self._stream.flush()
            self._progress._draw()
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def wants_bar(stream: Any) -> bool:
    """A bar only for a person watching: a terminal, and not a CI log."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")


def duration(seconds: float) -> str:
    """``0.4s``, ``12.3s``, ``2m05s``, ``1h02m``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


__all__ = ["Progress", "duration", "wants_bar"]
