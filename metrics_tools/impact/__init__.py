"""Impact report: what a change does to the public numbers before it merges.

Builds the base (a git ref, exported with `git archive`) and the working tree on the sample seed
and on a small generated dataset, each into its own temporary DuckDB file, then compares them:

* per public model (`access: public` in manifest.json), rows added, removed and changed by the
  model's primary key (its `unique_combination` / `unique` test or primary-key constraint), and
  for each numeric column the largest absolute and relative change with the row's key;
* raw rows that moved between clean and quarantine (or between reasons), matched by raw row
  identity (source file + raw row number), by event, outcome and owner team;
* the exposures, semantic-layer metrics and saved queries downstream of every model whose data
  changed (public models, and the models semantic models read), from the change's manifest.

Only what the public models, the quarantine and the semantic models need is built (no tests), in
dbt subprocesses, base first. The change is built from a copy of the base database with
`--select state:modified+ --full-refresh` when only models, macros or small seeds differ, else in
full. Writes markdown to target/impact.md and appends it to $GITHUB_STEP_SUMMARY when set.

    .venv/bin/python -m metrics_tools impact --base main

Modules by concern: `builds` (the base and change projects, and their dbt builds), `relations`
(reading built tables), `compare` (per-model row and column differences by key), `quarantine`
(raw rows moving between clean and quarantine), `lineage` (downstream exposures and semantic
metrics from manifest.json), `report` (markdown), `command` (the click command `impact`).
"""
