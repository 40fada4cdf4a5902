"""Layer 3, composition: search path, defaults lists, merging, ``store()`` schemas, overrides, ``compose``.

Imports from ``_config`` and ``_build``.
"""
