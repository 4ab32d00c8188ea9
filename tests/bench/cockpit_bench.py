"""Cockpit benchmark: how long each page takes to render (Streamlit AppTest, the full script run
including every query) on a marts folder, e.g. one published from the 10M-line CUR benchmark.
The first run of a page is the cold load (no query cached); the median of the others is warm
(queries cached by mart version), signed in as an admin (every team, every query).

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

    from app.users import User

    os.environ["SIBYL_MARTS_DIR"] = marts
    admin = User("bench", "admin")
    out: dict[str, dict[str, float]] = {}
    for view in sorted(VIEWS.glob("*.py")):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            at = AppTest.from_file(str(view), default_timeout=120)
            at.session_state["user"] = admin
            at.run()
            times.append(time.perf_counter() - t0)
            assert not at.exception, (view.name, [e.value for e in at.exception])
        warm = times[1:] or times
        out[view.stem] = {
            "first_s": round(times[0], 3),
            "median_s": round(statistics.median(warm), 3),
            "max_s": round(max(warm), 3),
        }
        print(
            f"cockpit: {view.stem:18} first {times[0]:.2f}s  warm median {statistics.median(warm):.2f}s"
            f"  max {max(warm):.2f}s",
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
