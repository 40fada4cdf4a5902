"""The code blocks of docs/, the README and the examples' READMEs are collected as tests.

How each kind of block is run: docs/testing-docs.md; the machinery: tests/docs_blocks.py.
"""

from docs_blocks import SYBIL

pytest_collect_file = SYBIL.pytest()
