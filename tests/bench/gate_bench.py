"""Gate benchmark: a generated N-resource plan checked by the CLI, wall time including
interpreter start (the path CI runs), best and median of several runs, plus peak RSS."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.gate_plans import synthetic_plan


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, nargs="*", default=[500, 5000, 50000])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sibyl = str(Path(sys.executable).parent / "sibyl")
    # An installed CLI runs from bytecode: let the untimed warm-up run write it even where the
    # environment says not to (PYTHONDONTWRITEBYTECODE would recompile every module each run).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.resources:
            p = Path(tmp) / f"plan_{n}.json"
            p.write_text(json.dumps(synthetic_plan(n)))
            times = []
            for run in range(1 + (args.runs if n <= 5000 else 2)):
                t0 = time.perf_counter()
                proc = subprocess.run(
                    [
                        sibyl,
                        "gate",
                        str(p),
                        "--format",
                        "json",
                        "--policies",
                        "examples/policies",
                        "--env",
                        "prod",
                        "--out",
                        str(Path(tmp) / "out.json"),
                    ],
                    check=False,
                    env=env,
                )
                if run:  # the first run is the warm-up
                    times.append(time.perf_counter() - t0)
                assert proc.returncode in (0, 1), proc.returncode
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"gate: {n:>6} resources  best {min(times):.2f}s  median {statistics.median(times):.2f}s  "
                f"({n / min(times):,.0f} resources/s)  peak RSS so far {rss:.0f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
