"""Rules for the project's conventions (docs/conventions.md) that dbt-score does not ship.

- every model sits in a layer folder and carries that layer's name prefix;
- every model belongs to a dbt group (the group names the owning team);
- public metric models are `access: public` with an enforced contract;
- column names are snake_case;
- every macro argument in the macro's signature is documented in YAML.

Engine implementations of a dispatched macro (`default__x`, `spark__x`) are documented once, on
the dispatcher `x` that models call: `is_documented_macro` leaves them out of the macro rules.
"""

import re

from dbt_score import Macro, Model, RuleViolation, rule, rule_filter

# Folder under models/ -> allowed name prefixes (conventions.md, "Models").
LAYER_PREFIXES: dict[str, tuple[str, ...]] = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("dim_", "fct_"),
    "metrics": ("metrics_",),
}
# Folders holding models that are not a data layer; the name must still be snake_case.
NON_LAYER_FOLDERS: tuple[str, ...] = ("semantic",)
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MACRO_SIGNATURE = re.compile(r"{%-?\s*(?:macro|test)\s+(\w+)\s*\(([^)]*)\)", re.S)


def _layer_folder(model: Model) -> str | None:
    parts = model.original_file_path.split("/")
    if len(parts) >= 3 and parts[0] == "models":
        return parts[1]
    return None


@rule_filter
def is_public_metric(model: Model) -> bool:
    """Models in the public metrics layer (models/metrics/)."""
    return _layer_folder(model) == "metrics"


ENGINE_IMPLEMENTATION = re.compile(r"^(default|duckdb|spark)__")


@rule_filter
def is_documented_macro(macro: Macro) -> bool:
    """Macros that carry their own docs: every macro except an engine's implementation of one."""
    return not ENGINE_IMPLEMENTATION.match(macro.name)


@rule
def model_name_has_layer_prefix(model: Model) -> RuleViolation | None:
    """A model lives in a layer folder and its name starts with that layer's prefix."""
    folder = _layer_folder(model)
    if folder in NON_LAYER_FOLDERS:
        if not SNAKE_CASE.match(model.name):
            return RuleViolation(message=f"Model name {model.name!r} is not snake_case.")
        return None
    if folder not in LAYER_PREFIXES:
        layers = ", ".join(f"models/{name}/" for name in LAYER_PREFIXES)
        return RuleViolation(message=f"Model is outside a layer folder ({layers}).")
    prefixes = LAYER_PREFIXES[folder]
    if not model.name.startswith(prefixes):
        return RuleViolation(
            message=f"Model in models/{folder}/ must be named {' or '.join(p + '*' for p in prefixes)}."
        )
    return None


@rule
def model_has_group(model: Model) -> RuleViolation | None:
    """A model belongs to a dbt group; the group (models/_groups.yml) names the owning team."""
    if not model.group:
        return RuleViolation(message="Model has no group (owner); set one in dbt_project.yml or its YAML.")
    return None


@rule(rule_filters={is_public_metric()})
def metric_model_is_public_with_contract(model: Model) -> RuleViolation | None:
    """A metric model is `access: public` and its contract is enforced."""
    if model.access != "public":
        return RuleViolation(message=f"Metric model access is {model.access!r}, not 'public'.")
    if not (model.config.get("contract") or {}).get("enforced"):
        return RuleViolation(message="Metric model contract is not enforced.")
    return None


@rule
def column_names_are_snake_case(model: Model) -> RuleViolation | None:
    """Column names are snake_case (conventions.md, "Columns")."""
    bad = [column.name for column in model.columns if not SNAKE_CASE.match(column.name)]
    if bad:
        return RuleViolation(message=f"Columns are not snake_case: {', '.join(bad)}.")
    return None


@rule(rule_filters={is_documented_macro()})
def macro_signature_arguments_documented(macro: Macro) -> RuleViolation | None:
    """Every argument in a macro's signature is declared in YAML with a description."""
    match = MACRO_SIGNATURE.search(macro.macro_sql)
    if not match:
        return None
    names = [
        part.split("=")[0].strip()
        for part in match.group(2).split(",")
        if part.strip()
    ]
    documented = {arg.get("name") for arg in macro.arguments if arg.get("description")}
    missing = [name for name in names if name not in documented]
    if missing:
        return RuleViolation(message=f"Arguments not documented in YAML: {', '.join(missing)}.")
    return None
