"""`make bench-ml`: anomaly detection and forecasting on 1,000 daily series x 400 days.

    python -m tests.bench.ml_bench [--series 1000] [--days 400] [--horizon 90] [--out bench_results]

The series come from models_ml.evaluation.labelled_series (realistic cost shapes, a third with
injected spikes and level shifts), so the same run reports detection precision / recall / F1
against the labels and the forecasts' backtest MASE / sMAPE. Each step runs in its own process
(wall seconds; peak RSS of the step's process and of the largest worker it reaped, from getrusage);
both steps stay in one process at this size (models_ml.anomaly / forecast PARALLEL_FROM_POINTS).
Targets: forecast < 60 s, detection < 30 s on 2 cores. Say what load the machine was under
(`uptime`): the cores may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _child(step: str, series: int, days: int, horizon: int) -> None:
    from models_ml.anomaly import detect, events
    from models_ml.evaluation import labelled_series, score_events
    from models_ml.forecast import forecast_and_score

    frame, labels = labelled_series(series, days, seed=2026)
    t0 = time.perf_counter()
    out: dict[str, object] = {"series": series, "days": days, "rows": frame.height}
    if step == "detect":
        scored = detect(frame, direction="up")
        ev = events(scored)
        out["seconds"] = time.perf_counter() - t0
        out["anomalous_points"] = int(scored["is_anomaly"].sum())
        out["scores"] = score_events(ev, labels)
    else:
        res = forecast_and_score(frame, horizon)
        out["seconds"] = time.perf_counter() - t0
        sel = res.selected()
        out["median_mase"] = float(sel["mase"].median())  # type: ignore[arg-type]
        out["median_smape_pct"] = float(sel["smape"].median())  # type: ignore[arg-type]
        out["models"] = dict(sel.group_by("model").len().iter_rows())
        naive = res.scores.filter(res.scores["model"] == "seasonal_naive")
        out["median_mase_seasonal_naive"] = float(naive["mase"].median())  # type: ignore[arg-type]
        out["forecast_rows"] = res.forecasts.height
    out["rows_per_s"] = round(frame.height / float(out["seconds"]))  # type: ignore[arg-type]
    out["peak_rss_mb_main_process"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    out["peak_rss_mb_workers"] = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
    )
    print(json.dumps(out))


def run_step(step: str, args: argparse.Namespace) -> dict[str, object]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.bench.ml_bench",
            "--child",
            step,
            "--series",
            str(args.series),
            "--days",
            str(args.days),
            "--horizon",
            str(args.horizon),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{err[-4000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_wall_seconds"] = round(wall, 1)
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--series", type=int, default=1000)
    p.add_argument("--days", type=int, default=400)
    p.add_argument("--horizon", type=int, default=90)
    p.add_argument("--out", default="bench_results")
    p.add_argument("--child")
    args = p.parse_args()
    if args.child:
        _child(args.child, args.series, args.days, args.horizon)
        return
    print(f"ML benchmark: {args.series} series x {args.days} days on {os.cpu_count()} cores")
    results = {}
    for step, target in (("detect", 30), ("forecast", 60)):
        r = run_step(step, args)
        results[step] = r
        print(
            f"  {step:8} {float(r['seconds']):6.1f} s (target < {target} s; process {r['process_wall_seconds']} s, "  # type: ignore[arg-type]
            f"{r['rows_per_s']:,} rows/s, peak RSS {r['peak_rss_mb_main_process']} MB main, "
            f"{r['peak_rss_mb_workers']} MB largest reaped worker)"
        )
        if step == "detect":
            sc = r["scores"]
            print(
                f"           labelled set: precision {sc['precision']:.2f} recall {sc['recall']:.2f} F1 {sc['f1']:.2f} "  # type: ignore[index]
                f"({int(sc['found'])}/{int(sc['labels'])} injected found, {int(sc['events'])} events)"
            )  # type: ignore[index]
        else:
            print(
                f"           median backtest MASE {r['median_mase']:.3f} (seasonal-naive alone {r['median_mase_seasonal_naive']:.3f}), "
                f"sMAPE {r['median_smape_pct']:.1f}%; chosen {r['models']}"
            )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ml_bench.json").write_text(json.dumps(results, indent=1))
    print(f"  results in {out / 'ml_bench.json'}")


if __name__ == "__main__":
    main()
