"""Batch sweeps: specification files, designs (grid, LHS, Sobol, Morris), resumable Parquet parts
on the local pool or Dask, and sensitivity indices."""
