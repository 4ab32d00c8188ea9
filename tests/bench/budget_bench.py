"""`sibyl budget check` latency: median and p99 of 1,000 calls through the Python API (state file
cached by mtime, as a gateway process would call it) and of 20 CLI calls including interpreter
start-up, against a published state of 2,000 AI budgets (agents, sessions, keys, models)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from models_ml.ai_budget import AiBudget, Spend, ai_budget_state, check, publish_state


def state(out: Path, n_budgets: int) -> None:
    day = dt.date(2026, 11, 20)
    scopes = ("agent", "session", "api_key", "model")
    budgets = [
        AiBudget(f"b{i}", scopes[i % 4], f"v{i}", Decimal(100), period="daily")
        for i in range(n_budgets)
    ]
    lines = [
        Spend(day - dt.timedelta(days=d), "litellm", Decimal("1.5"), {b.scope_type: b.scope_value})
        for b in budgets
        for d in range(3)
    ]
    publish_state(ai_budget_state(budgets, lines, day), [], out)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--api-calls", type=int, default=1000)
    ap.add_argument("--cli-calls", type=int, default=20)
    ap.add_argument("--budgets", type=int, default=2000)
    a = ap.parse_args()
    sibyl = str(Path(sys.executable).parent / "sibyl")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        state(d, a.budgets)
        env["SIBYL_MARTS_DIR"] = tmp
        t0 = time.perf_counter()
        check(d, "agent:v0", Decimal("0.5"))  # first read fills the cache, as in a gateway
        cold = (time.perf_counter() - t0) * 1000
        api = []
        for i in range(a.api_calls):
            t0 = time.perf_counter()
            check(d, f"agent:v{(i * 4) % a.budgets}", Decimal("0.50"))
            api.append((time.perf_counter() - t0) * 1000)
        cli = []
        for i in range(a.cli_calls + 1):
            t0 = time.perf_counter()
            p = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
                [sibyl, "budget", "check", "--scope", "agent:v4", "--estimate-cost", "0.50"],
                env=env,
                capture_output=True,
                check=False,
            )
            if p.returncode not in (0, 1):
                raise SystemExit(f"sibyl budget check failed: {p.stderr.decode()[:300]}")
            if i:  # the first run writes bytecode
                cli.append((time.perf_counter() - t0) * 1000)
    print(f"budget check, {a.budgets} budgets in the published state")
    print(
        f"  Python API  {len(api):>5} calls: median {statistics.median(api):.3f} ms, "
        f"p99 {pct(api, 0.99):.3f} ms"
    )
    print(f"  Python API  first call (reads and indexes the state file): {cold:.2f} ms")
    print(
        f"  CLI         {len(cli):>5} calls: median {statistics.median(cli):.1f} ms, "
        f"p99 {pct(cli, 0.99):.1f} ms (including interpreter start-up)"
    )


if __name__ == "__main__":
    main()
