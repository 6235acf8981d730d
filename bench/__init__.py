"""The performance harness (`make bench`, issue 13): dataset, load, ceilings, results. Not for production."""

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# Per-run files (dataset ids, tokens, generated wrk scripts, server log); not committed.
WORK_DIR = BENCH_DIR / "work"
