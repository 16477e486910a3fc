"""The project's shape, checked from dbt's manifest.json (`python -m metrics_tools structure`)."""
