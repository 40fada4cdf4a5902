#!/usr/bin/env bash
# The package as users get it: build the sdist and wheel, check them as the package index would,
# install the wheel (not the checkout) into a fresh venv, and run the examples and tools from it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install -q build twine
"$work/tools/bin/python" -m build -q --outdir "$work/dist" . >/dev/null   # the sdist, then the wheel from it
"$work/tools/bin/twine" check --strict "$work/dist"/*
wheel=$(ls "$work"/dist/*.whl)
"$work/tools/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
meta = zipfile.ZipFile(sys.argv[1]).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
assert "Name: instantiate-config" in meta, "the distribution is instantiate-config"
assert "License-Expression: MIT" in meta and "License-File: LICENSE" in meta, "license metadata"
for needed in ("instantiate/__init__.py", "instantiate/py.typed", "instantiate/_tools/cli.py",
               "instantiate/_run/launchers/basic.py"):
    assert needed in names, f"{needed} is missing from the wheel"
assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "LICENSE is missing from the wheel"
assert not any(n.startswith(("tests/", "examples/")) for n in names), "the wheel holds only the package"
PY

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel" torch==2.13.0
cd "$work"  # away from the checkout: what runs is the installed wheel
"$work/venv/bin/python" -c "import instantiate, sys; assert instantiate.__file__.startswith(sys.prefix), instantiate.__file__"
"$work/venv/bin/instantiate" --version
"$work/venv/bin/python" "$repo/examples/mlp/train.py"
(cd "$repo/examples/hydra_style" && "$work/venv/bin/python" train.py epochs=2 --run-dir "$work/run" >/dev/null)
"$work/venv/bin/instantiate" check "$repo/examples/mlp/conf.yaml"
echo "package: built, checked, installed and ran in $((SECONDS - start))s"
