"""Cockpit benchmark: how long each page takes to render (Streamlit AppTest, the full script run
including every query) on a marts folder, e.g. one published from the 10M-line CUR benchmark.

    python -m tests.bench.cockpit_bench --marts bench_results/marts [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

VIEWS = Path(__file__).resolve().parents[2] / "app" / "cockpit" / "views"


def bench(marts: str, runs: int = 3) -> dict[str, dict[str, float]]:
    from streamlit.testing.v1 import AppTest

    os.environ["SIBYL_MARTS_DIR"] = marts
    out: dict[str, dict[str, float]] = {}
    for view in sorted(VIEWS.glob("*.py")):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            at = AppTest.from_file(str(view), default_timeout=120).run()
            times.append(time.perf_counter() - t0)
            assert not at.exception, (view.name, [e.value for e in at.exception])
        out[view.stem] = {
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
        }
        print(
            f"cockpit: {view.stem:18} median {statistics.median(times):.2f}s  max {max(times):.2f}s",
            flush=True,
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--marts", required=True)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(bench(args.marts, args.runs), indent=1))


if __name__ == "__main__":
    main()
