"""The docs' charts (`python -m metrics_tools charts`), by subject; `style` holds what they share."""
