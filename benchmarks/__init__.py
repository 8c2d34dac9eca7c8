"""NerveSim benchmarks: ``python -m benchmarks <name>`` (see ``python -m benchmarks --help``).

Each benchmark measures everything it compares in one run on one machine, prints a table and
writes ``benchmarks/results/<name>.json``. Timings are reported, never asserted.
"""
