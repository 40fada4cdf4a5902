"""``python -m instantiate``: the command line of the tools (see ``instantiate._tools.cli``)."""

import sys

from ._tools.cli import console, main

__all__ = ["console", "main"]

if __name__ == "__main__":
    sys.exit(main())
