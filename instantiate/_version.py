"""The package's version, read from its installed metadata on first use (never at import)."""

from __future__ import annotations

import os
import re

# The name on the package index; the import name is ``instantiate``.
DISTRIBUTION = "instantiate-config"


def version() -> str:
    """The installed distribution's version; in a checkout that is not installed, pyproject's."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:
        return _checkout_version() or "unknown (not installed)"


def version_line() -> str:
    """What ``--version`` prints."""
    return f"instantiate {version()} (distribution {DISTRIBUTION})"


def _checkout_version() -> str | None:
    pyproject = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml")
    try:
        with open(pyproject, encoding="utf-8") as file:
            text = file.read()
    except OSError:
        return None
    if not re.search(rf'^name = "{DISTRIBUTION}"$', text, re.M):
        return None
    found = re.search(r'^version = "([^"]+)"$', text, re.M)
    return found.group(1) if found else None


__all__ = ["DISTRIBUTION", "version", "version_line"]
