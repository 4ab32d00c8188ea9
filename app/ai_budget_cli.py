"""`sibyl budget check`: what an agent or a gateway asks before a request. Reads only the published
AI budget state (one small JSON file next to the marts, in a local folder or the marts' bucket);
prints JSON; exit 0 allowed, 1 blocked, 2 when it cannot answer (no state published, unreachable
store, bad arguments)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

EXIT_ALLOWED, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def state_dir() -> str:
    """The published marts folder of the settings (SIBYL_MARTS_DIR, else under SIBYL_DATA_DIR:
    a local path or a bucket URL)."""
    from orchestration.settings import Settings

    return Settings.from_env().marts_dir


def budget_check(scope: str, estimate: str, where: str | Path | None = None) -> int:
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
    d = str(where) if where is not None else state_dir()
    try:
        verdict = check(d, scope, est)
    except FileNotFoundError:
        print(
            f"sibyl budget check: no published AI budget state ({STATE_FILE}) in the marts folder; "
            "run the pipeline (or sibyl demo) first",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except (ValueError, KeyError) as e:
        print(f"sibyl budget check: unreadable state: {type(e).__name__}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001 - a store's error may quote an endpoint: name its type
        from ingest.fs import redact

        print(
            f"sibyl budget check: cannot read the state in {redact(d)}: {type(e).__name__}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(json.dumps(verdict))
    return EXIT_ALLOWED if verdict["allowed"] else EXIT_BLOCKED
