"""Layer 2, building: target lookup and policy, registry, signatures and annotation checks, the builder, ``Recipe``.

Imports from ``_config`` only.
"""
