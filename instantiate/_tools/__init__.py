"""Layer 5, tools: the command line of ``python -m instantiate``, ``check``, ``graph``, ``schema``.

Imports from every layer below; nothing imports it but ``__main__``.
"""
