"""Layer 1, configs: YAML with provenance, paths, the ``$<...>`` grammar, interpolation, resolvers,
``Config``. Imports nothing of the package but ``_errors``.
"""
