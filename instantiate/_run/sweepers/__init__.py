"""Sweepers: which jobs a sweep runs: ``basic`` (the cartesian product) and ``optuna``."""
