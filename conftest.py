"""The code blocks of docs/, the README and the examples' READMEs are collected as tests.

How each kind of block is run: docs/testing-docs.md; the machinery: tests/docs_blocks.py.
"""

import atexit
import os
import shutil
import tempfile

from docs_blocks import SYBIL

# Parsed configs are cached (instantiate/_config/yaml_cache.py); the tests' cache is their own,
# used by every test and subprocess of the run, and gone after it.
if "INSTANTIATE_CACHE_DIR" not in os.environ:
    os.environ["INSTANTIATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="instantiate-test-cache-")
    atexit.register(shutil.rmtree, os.environ["INSTANTIATE_CACHE_DIR"], ignore_errors=True)

pytest_collect_file = SYBIL.pytest()
