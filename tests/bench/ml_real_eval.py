"""The ML models on the real development sets, broken down for docs/ml.md.

    python -m tests.bench.ml_real_eval [--eval-dir ../shared/eval] [--out bench_results]

Anomalies: the Numenta Anomaly Benchmark development split (``anomaly_dev``) on the daily and the
hourly grid, scored window-level by its own ``nab_score`` (the scorer ``score_project.py`` uses),
for ``models_ml.anomaly.detect`` and the rolling z-score baseline: overall, by category, by series
length, by the kind of the labelled anomaly, and per series. The kind of a window is read from the
data on the grid, the same way for every window: ``spike``/``dip`` when its most extreme point lies
more than 3 robust sigmas (of the points before it) above/below their median, ``level shift`` when
the median after the window differs from the median before by more than 2 of those sigmas,
``subtle`` otherwise (``in warm-up`` when the window ends in NAB's probation period).

Forecasts: the real daily series of ``forecast_dev``, the last 30 days held out as the scorer does:
MASE of the chosen model and of seasonal-naive, the model chosen, and the share of held-out days
inside the 80% and 95% intervals.

Markdown tables go to stdout (and ``<out>/ml_real_eval.md``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def _md(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        lines.append(
            "| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in r) + " |"
        )
    return "\n".join(lines)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def window_kind(y: np.ndarray, lo: int, hi: int, probation: int) -> str:
    if hi < probation:
        return "in warm-up"
    before = y[max(0, lo - 28) : lo]
    after = y[hi + 1 : hi + 29]
    if len(before) < 3:
        return "subtle"
    med = float(np.median(before))
    sig = 1.4826 * float(np.median(np.abs(before - med))) or float(np.std(before)) or 1e-9
    win = y[lo : hi + 1]
    if float(win.max()) > med + 3 * sig:
        return "spike"
    if float(win.min()) < med - 3 * sig:
        return "dip"
    if len(after) >= 3 and abs(float(np.median(after)) - med) > 2 * sig:
        return "level shift"
    return "subtle"


def _length_bucket(n: int) -> str:
    return "< 20" if n < 20 else "20-99" if n < 100 else "100-999" if n < 1000 else ">= 1000"


def anomalies(eval_dir: Path, freq: str) -> str:
    sys.path.insert(0, str(eval_dir / "anomaly_dev"))
    import nab_score  # the scorer's own module

    from models_ml.anomaly import detect

    grid = nab_score.resample_corpus(nab_score.load_corpus(), freq, "sum")
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "series_id": k,
                    "ds": pd.to_datetime(df["timestamp"]),
                    "y": df["value"].astype(float),
                }
            )
            for k, (df, _w) in grid.items()
        ],
        ignore_index=True,
    )
    out = detect(frame)
    det = pd.DataFrame(
        {
            "series": out["series_id"],
            "timestamp": out["ds"],
            "is_anomaly": out["is_anomaly"].astype(int),
        }
    )
    base = nab_score.rolling_z_detect(grid)
    res_p, all_p = nab_score.score_all(grid, det, freq=None)
    res_b, all_b = nab_score.score_all(grid, base, freq=None)
    rows: list[dict[str, Any]] = []
    kinds: list[dict[str, Any]] = []
    for key, (df, wins) in grid.items():
        ts = df["timestamp"].to_numpy()
        y = df["value"].to_numpy(float)
        n = len(ts)
        prob = nab_score.probation_len(n, 0.15)
        hit_p = np.isin(ts, det.loc[(det.series == key) & (det.is_anomaly == 1), "timestamp"])
        hit_b = np.isin(ts, base.loc[(base.series == key) & (base.is_anomaly == 1), "timestamp"])
        for a, b in wins:
            lo = int(np.searchsorted(ts, np.datetime64(a), side="left"))
            hi = int(np.searchsorted(ts, np.datetime64(b), side="right")) - 1
            if hi < lo:
                continue
            span = slice(max(lo, prob), hi + 1)
            kinds.append(
                {
                    "kind": window_kind(y, lo, hi, prob),
                    "project": bool(hit_p[span].any()),
                    "baseline": bool(hit_b[span].any()),
                }
            )
        rp, rb = res_p.loc[key], res_b.loc[key]
        rows.append(
            {
                "series": key.split("/")[1].removesuffix(".csv"),
                "category": key.split("/")[0],
                "points": n,
                "length": _length_bucket(n),
                "windows": int(rp.n_windows),
                "tp": int(rp.tp),
                "fp": int(rp.fp),
                "fn": int(rp.fn),
                "F1": float(rp.f1) if rp.f1 == rp.f1 else 0.0,
                "baseline tp/fp": f"{int(rb.tp)}/{int(rb.fp)}",
                "baseline F1": float(rb.f1) if rb.f1 == rb.f1 else 0.0,
            }
        )
    per = pd.DataFrame(rows)

    def grouped(col: str) -> pd.DataFrame:
        out_rows = []
        for v, g in per.groupby(col, sort=False):
            p, r, f = _prf(g.tp.sum(), g.fp.sum(), g.fn.sum())
            btp = sum(int(x.split("/")[0]) for x in g["baseline tp/fp"])
            bfp = sum(int(x.split("/")[1]) for x in g["baseline tp/fp"])
            bp, br, bf = _prf(btp, bfp, int(g.windows.sum()) - btp)
            out_rows.append(
                {
                    col: v,
                    "series": len(g),
                    "windows": int(g.windows.sum()),
                    "P": p,
                    "R": r,
                    "F1": f,
                    "baseline P": bp,
                    "baseline R": br,
                    "baseline F1": bf,
                }
            )
        return pd.DataFrame(out_rows)

    kd = pd.DataFrame(kinds)
    by_kind = (
        kd.groupby("kind")
        .agg(windows=("project", "size"), project=("project", "sum"), baseline=("baseline", "sum"))
        .reset_index()
    )
    by_kind["project recall"] = by_kind.project / by_kind.windows
    by_kind["baseline recall"] = by_kind.baseline / by_kind.windows
    head = (
        f"### NAB dev, {'daily' if freq == 'D' else 'hourly'} grid\n\n"
        f"project F1 {all_p['f1']:.3f} P {all_p['precision']:.3f} R {all_p['recall']:.3f} "
        f"(tp {all_p['tp']}, fp {all_p['fp']}, fn {all_p['fn']}) | rolling z-score F1 "
        f"{all_b['f1']:.3f} P {all_b['precision']:.3f} R {all_b['recall']:.3f} "
        f"(tp {all_b['tp']}, fp {all_b['fp']}, fn {all_b['fn']})\n"
    )
    return "\n\n".join(
        [
            head,
            "By category:\n\n" + _md(grouped("category")),
            "By series length (points on the grid):\n\n" + _md(grouped("length")),
            "By kind of labelled anomaly (windows found):\n\n" + _md(by_kind),
            "Per series:\n\n" + _md(per.drop(columns=["length"])),
        ]
    )


def forecasts(eval_dir: Path, h: int = 30) -> str:
    from models_ml.forecast import forecast_and_score

    s = pd.read_csv(eval_dir / "forecast_dev" / "series.csv", parse_dates=["ds"])
    s = s.sort_values(["series_id", "ds"])
    from_end = s.groupby("series_id").cumcount(ascending=False)
    train, test = s[from_end >= h], s[from_end < h]
    import polars as pl

    res = forecast_and_score(
        pl.from_pandas(train[["series_id", "ds", "y"]].reset_index(drop=True)), h
    )
    fc = res.forecasts.to_pandas()
    rows = []
    for sid, g in test.groupby("series_id"):
        tr = train[train.series_id == sid]["y"].to_numpy(float)
        scale = np.mean(np.abs(tr[7:] - tr[:-7]))
        f = fc[fc.series_id == sid].set_index("ds").reindex(g["ds"])
        y = g["y"].to_numpy(float)
        naive = np.resize(tr[-7:], h)
        rows.append(
            {
                "series": sid,
                "model": f["model"].iloc[0],
                "MASE": float(np.mean(np.abs(y - f["yhat"].to_numpy())) / scale),
                "seasonal-naive MASE": float(np.mean(np.abs(y - naive)) / scale),
                "80% covered": float(
                    np.mean((y >= f["yhat_lower"].to_numpy()) & (y <= f["yhat_upper"].to_numpy()))
                ),
                "95% covered": float(
                    np.mean(
                        (y >= f["yhat_lower_95"].to_numpy()) & (y <= f["yhat_upper_95"].to_numpy())
                    )
                ),
            }
        )
    r = pd.DataFrame(rows)
    head = (
        f"### Forecast dev (last {h} days held out)\n\n"
        f"MASE median {r.MASE.median():.3f} vs seasonal-naive {r['seasonal-naive MASE'].median():.3f}; "
        f"beats it on {(r['seasonal-naive MASE'] > r.MASE).sum()}/{len(r)}; interval coverage over all "
        f"held-out days: 80% → {r['80% covered'].mean():.1%}, 95% → {r['95% covered'].mean():.1%}\n"
    )
    return head + "\n" + _md(r)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--eval-dir", default=str(REPO.parent / "shared" / "eval"))
    p.add_argument("--out", default="bench_results")
    args = p.parse_args()
    eval_dir = Path(args.eval_dir)
    text = "\n\n".join([anomalies(eval_dir, "D"), anomalies(eval_dir, "h"), forecasts(eval_dir)])
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ml_real_eval.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
