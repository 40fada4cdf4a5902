"""Layer 4, runs: ``@main``, run settings and directories, jobs, sweeps, ``launchers/`` and ``sweepers/``.

Imports from the layers below.
"""
