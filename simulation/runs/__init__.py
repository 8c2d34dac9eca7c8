"""Runs: ``run()`` and replicates, shared starts (branching), the one batch pool used by the CLI,
validation and the dashboard, interval summaries and Parquet storage."""
