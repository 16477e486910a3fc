"""Project rules for dbt-score: layer naming, ownership and documentation conventions.

dbt-score loads this package by default (namespace ``dbt_score_rules``, the project root on the
Python path); ``pyproject.toml`` ``[tool.dbt-score]`` configures it.
"""
