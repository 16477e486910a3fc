"""Deterministic synthetic raw events for Tempo, a music streaming app.

Modules by concern: `world` and `reference` (fixed tables, reference seeds), `vocabulary` (event
codes), `population` and `behaviour` (who does what, day by day), `simulation` (the daily driver),
`bad_rows` (bad-row injection), `sql_format` and `writers` (text, CSV/Parquet), `command` (CLI).
"""
