"""The benchmark (`python -m metrics_tools benchmark`): docs/performance.md, docs/benchmarks.md."""
