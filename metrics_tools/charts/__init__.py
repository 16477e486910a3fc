"""The docs\x27 charts (`python -m metrics_tools charts`), by subject; `style` holds what they share."""
