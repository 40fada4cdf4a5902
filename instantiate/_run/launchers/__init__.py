"""Launchers: where and how the jobs of a sweep run, one module per launcher (see ``registry``)."""
