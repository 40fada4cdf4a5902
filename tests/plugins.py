"""Installed-looking distributions for plugin tests: dist-info metadata and modules in a site dir."""

from __future__ import annotations

import textwrap
from pathlib import Path


def publish(site: Path, distribution: str, entry_points: dict[str, dict[str, str]], **modules: str) -> Path:
    """Install a distribution the way pip leaves one: a dist-info folder, plus module files."""
    info = site / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n")
    lines = []
    for group, names in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {value}" for name, value in names.items())
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))
    return info
