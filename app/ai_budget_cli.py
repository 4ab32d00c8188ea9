"""`sibyl budget check`: what an agent or a gateway asks before a request. Reads only the published
AI budget state (one small JSON file next to the marts); prints JSON; exit 0 allowed, 1 blocked,
2 when it cannot answer (no state published, bad arguments)."""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

EXIT_ALLOWED, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def state_dir() -> Path:
    """The marts folder (SIBYL_MARTS_DIR, else $SIBYL_DATA_DIR/marts), without loading Settings."""
    marts = os.environ.get("SIBYL_MARTS_DIR")
    if marts:
        return Path(marts)
    return Path(os.environ.get("SIBYL_DATA_DIR", "data")) / "marts"


def budget_check(scope: str, estimate: str, where: Path | None = None) -> int:
    from models_ml.ai_budget import STATE_FILE, check

    if ":" not in scope or len(scope) > 300:
        print("sibyl budget check: --scope looks like agent:NAME (or budget:<id>)", file=sys.stderr)
        return EXIT_ERROR
    try:
        est = Decimal(estimate)
        if not est.is_finite() or est < 0 or est > Decimal(10**9):
            raise InvalidOperation
    except InvalidOperation:
        print("sibyl budget check: --estimate-cost must be a non-negative amount", file=sys.stderr)
        return EXIT_ERROR
    d = where or state_dir()
    if not (d / STATE_FILE).exists():
        print(
            f"sibyl budget check: no published AI budget state ({STATE_FILE}) in the marts folder; "
            "run the pipeline (or sibyl demo) first",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        verdict = check(d, scope, est)
    except (ValueError, KeyError) as e:
        print(f"sibyl budget check: unreadable state: {type(e).__name__}", file=sys.stderr)
        return EXIT_ERROR
    print(json.dumps(verdict))
    return EXIT_ALLOWED if verdict["allowed"] else EXIT_BLOCKED
