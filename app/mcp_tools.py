"""What the MCP server answers, as plain typed functions over the published marts (no MCP here).

Every function validates its arguments (a `ToolInputError` says which one and why), reads only the
published Parquet marts through `app.cockpit.queries.Marts` (bound parameters, the cockpit's team
scope), bounds its result size, and returns JSON-ready values: money as decimal strings (exact to
the cent), dates as ISO strings. State changes (acknowledging an anomaly) need a role that may make
them and are written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.cockpit import queries as q

MAX_ROWS = 500
MAX_DAYS = 400
MAX_NOTE = 2000
_EVENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
_SCOPE = re.compile(r"^[a-z_]{1,32}:[A-Za-z0-9_.:*@+-]{1,128}$")
_VALUE = 200  # longest filter value accepted


class ToolInputError(ValueError):
    """A bad argument: the message names it and says what is accepted."""


@dataclass(frozen=True)
class Caller:
    """Who the server acts for: the cockpit's roles (app.users). ``teams`` None reads every team;
    an engineering caller reads only its teams' rows."""

    actor: str = "mcp"
    role: str = "executive"
    teams: tuple[str, ...] | None = None

    def can(self, action: str) -> bool:
        from app.users import CAN

        return action in CAN.get(self.role, set())


@dataclass(frozen=True)
class Context:
    marts_dir: str
    lake_root: str
    caller: Caller
    gate_root: str = "."

    @property
    def marts(self) -> q.Marts:
        return q.Marts(self.marts_dir, self.caller.teams)


def jsonable(v: Any) -> Any:
    """Decimals as strings (exact), dates as ISO text, containers recursively."""
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if isinstance(v, float) and v != v:  # NaN is not JSON
        return None
    return v


def _rows(cols: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [jsonable(dict(zip(cols, r, strict=True))) for r in rows]


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_ROWS:
        raise ToolInputError(f"limit must be between 1 and {MAX_ROWS}, not {limit}")
    return limit


def _date(name: str, value: str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value[:10]) if len(value) == 10 else _bad_date(name, value)
    except ValueError:
        return _bad_date(name, value)


def _bad_date(name: str, value: str) -> dt.date:
    raise ToolInputError(f"{name} must be a date YYYY-MM-DD, not {value[:40]!r}")


def _choice(name: str, value: str, allowed: Any) -> str:
    if value not in allowed:
        raise ToolInputError(
            f"{name} must be one of {', '.join(sorted(allowed))}, not {value[:40]!r}"
        )
    return value


def cost_by(
    ctx: Context,
    dimension: str = "service",
    start: str | None = None,
    end: str | None = None,
    cost: str = "effective",
    filters: dict[str, list[str]] | None = None,
    tag_key: str = "team",
    limit: int = 50,
) -> dict[str, Any]:
    """Total cost per value of ``dimension`` over the inclusive date range (per currency), largest
    first, at most ``limit`` rows; ``filters`` keep only the listed values of other dimensions."""
    _choice("dimension", dimension, q.DIMENSIONS)
    _choice("cost", cost, q.COST_COLUMNS)
    lo, hi = _date("start", start), _date("end", end)
    if lo and hi and lo > hi:
        raise ToolInputError(f"start {lo} is after end {hi}")
    if lo and hi and (hi - lo).days > MAX_DAYS:
        raise ToolInputError(f"a range spans at most {MAX_DAYS} days")
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", tag_key):
        raise ToolInputError("tag_key is 1-64 letters, digits or _.:-")
    flt: list[tuple[str, tuple[str, ...]]] = []
    for dim, values in (filters or {}).items():
        _choice("filter dimension", dim, q.DIMENSIONS)
        if not isinstance(values, list) or len(values) > 100:
            raise ToolInputError(f"filter {dim!r} takes a list of at most 100 values")
        if any(not isinstance(v, str) or len(v) > _VALUE for v in values):
            raise ToolInputError(
                f"filter {dim!r} values are strings of at most {_VALUE} characters"
            )
        flt.append((dim, tuple(values)))
    e = q.Explore(
        dimension=dimension, cost=cost, start=lo, end=hi, filters=tuple(flt), tag_key=tag_key
    )
    cols, rows = q.explore_totals(ctx.marts, e, limit=_limit(limit) + 1)
    return {
        "dimension": dimension,
        "cost": q.COST_COLUMNS[cost],
        "start": lo.isoformat() if lo else None,
        "end": hi.isoformat() if hi else None,
        "rows": _rows(cols, rows[:limit]),
        "truncated": len(rows) > limit,
    }


def top_movers(
    ctx: Context,
    dimension: str = "service",
    days: int = 30,
    cost: str = "effective",
    limit: int = 10,
) -> dict[str, Any]:
    """The largest changes of the last ``days`` days against the ``days`` before (as of the last
    day of data), per value of ``dimension`` and currency."""
    _choice("dimension", dimension, q.DIMENSIONS)
    _choice("cost", cost, q.COST_COLUMNS)
    if not 1 <= days <= 366:
        raise ToolInputError(f"days must be between 1 and 366, not {days}")
    cols, rows = q.top_movers(ctx.marts, dimension, cost=cost, days=days, limit=_limit(limit))
    return {"dimension": dimension, "days": days, "rows": _rows(cols, rows)}


_ANOMALY_KEEP = (
    "event_id", "start_date", "end_date", "scope_type", "scope_value", "owner_team_id", "kind",
    "is_ongoing", "billing_currency", "cost_impact", "actual_cost", "expected_cost", "confidence",
    "root_cause_path", "status", "status_by", "status_note",
)  # fmt: skip


def _anomalies(ctx: Context, statuses: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    from models_ml.status import current_statuses

    cols, rows = q.anomaly_inbox(
        ctx.marts, statuses, fresh_status=current_statuses(ctx.lake_root), limit=limit
    )
    return [{k: r[k] for k in _ANOMALY_KEEP} for r in _rows(cols, rows)]


def anomalies(ctx: Context, status: str = "open", limit: int = 20) -> dict[str, Any]:
    """Cost anomaly events, newest first, with the status changes made since the last run."""
    _choice("status", status, {*q.ANOMALY_STATUSES, "all"})
    statuses = q.ANOMALY_STATUSES if status == "all" else (status,)
    return {"status": status, "events": _anomalies(ctx, statuses, _limit(limit))}


def acknowledge_anomaly(ctx: Context, event_id: str, note: str) -> dict[str, Any]:
    """Mark one anomaly event (visible to the caller) acknowledged, with a note; written to the
    status log and the audit log."""
    from app.audit import record
    from models_ml.status import set_anomaly_status

    if not _EVENT_ID.match(event_id):
        raise ToolInputError("event_id is 1-80 letters, digits or _.:-")
    if not note.strip() or len(note) > MAX_NOTE:
        raise ToolInputError(f"a note (1-{MAX_NOTE} characters) says why")
    if not ctx.caller.can("acknowledge"):
        raise ToolInputError(f"role {ctx.caller.role!r} may not acknowledge anomalies")
    known = {r["event_id"] for r in _anomalies(ctx, q.ANOMALY_STATUSES, 10**9)}
    if event_id not in known:
        raise ToolInputError(f"no anomaly event {event_id!r} in your scope")
    set_anomaly_status(
        ctx.lake_root, event_id, "acknowledged", ctx.caller.actor, note, known_ids=known
    )
    ev = record(ctx.lake_root, ctx.caller.actor, ctx.caller.role, "acknowledge", event_id, note)
    return {
        "event_id": event_id,
        "status": "acknowledged",
        "by": ctx.caller.actor,
        "audit_event_id": ev.event_id,
    }


_BUDGET_KEEP = (
    "budget_id", "scope", "period", "period_start", "period_end", "as_of_date", "billing_currency",
    "budget_amount", "actual_cost_to_date", "pct_used", "projected_period_end_cost", "projected_pct",
    "projected_exhaustion_date", "alert_level", "breaker_state", "breaker_reason", "override_until",
    "override_by",
)  # fmt: skip


def _budgets(ctx: Context) -> list[dict[str, Any]]:
    from models_ml.status import overrides

    cols, rows = q.budget_latest(ctx.marts, overrides(ctx.lake_root))
    out = [{k: r[k] for k in _BUDGET_KEEP} for r in _rows(cols, rows)]
    return sorted(out, key=lambda r: (r["scope"], r["budget_id"]))


def budget_status(ctx: Context, scope: str | None = None) -> dict[str, Any]:
    """The newest status of every budget (or of one scope: team:payments, budget:<id>)."""
    if scope is not None and not _SCOPE.match(scope):
        raise ToolInputError("scope looks like team:payments, provider:aws or budget:<id>")
    rows = _budgets(ctx)
    if scope:
        rows = [r for r in rows if scope in (r["scope"], f"budget:{r['budget_id']}")]
    return {
        "budgets": rows[:MAX_ROWS],
        "breaker_open": any(r["breaker_state"] == "open" for r in rows),
    }


def breaker_check(ctx: Context, scope: str) -> dict[str, Any]:
    """May ``scope`` spend now? False when a budget breaker on it is open (an override in force
    makes it half_open, which may spend)."""
    if not _SCOPE.match(scope):
        raise ToolInputError("scope looks like team:payments, provider:aws or budget:<id>")
    rows = [r for r in _budgets(ctx) if scope in (r["scope"], f"budget:{r['budget_id']}")]
    if not rows:
        raise ToolInputError(f"no budget for scope {scope!r} in your scope")
    opened = [r for r in rows if r["breaker_state"] == "open"]
    return {
        "scope": scope,
        "may_spend": not opened,
        "breakers": [
            {k: r[k] for k in ("budget_id", "breaker_state", "breaker_reason", "override_until")}
            for r in rows
        ],
    }


ALLOCATED_MART = "fct_allocated_costs_monthly"


def allocated_costs(ctx: Context, month: str, team: str | None = None) -> dict[str, Any]:
    """Per team for one billing month (YYYY-MM): cost attributed directly and cost received
    through shared-cost allocation rules, per currency (billed cost). Organisation-wide data: a
    team-scoped caller gets no rows (the cockpit's scope rule fails closed)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ToolInputError(f"month is YYYY-MM, not {month[:20]!r}")
    if team is not None and not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", team):
        raise ToolInputError("team is 1-64 letters, digits or _.:-")
    cols, rows = ctx.marts.columns(
        """select team_id, billing_currency,
                  sum(billed_cost) filter (where attribution_method <> 'allocation_rule') as direct_cost,
                  sum(billed_cost) filter (where attribution_method = 'allocation_rule') as allocated_cost,
                  sum(billed_cost) as total_cost,
                  string_agg(distinct nullif(allocation_rule_id, ''), ',' order by nullif(allocation_rule_id, '')) as rules
           from read_parquet($fct_allocated_costs_monthly)
           where strftime(billing_period, '%Y-%m') = $month and ($team is null or team_id = $team)
           group by all order by total_cost desc limit $limit""",
        {"month": month, "team": team, "limit": MAX_ROWS},
        marts=(ALLOCATED_MART,),
    )
    return {"month": month, "rows": _rows(cols, rows)}


SAVINGS_MART = "fct_savings_opportunities"


def savings(ctx: Context, limit: int = 20) -> dict[str, Any]:
    """Savings opportunities, largest saving per month first, when the savings pipeline has
    published them."""
    m = ctx.marts
    if not m.has(SAVINGS_MART):
        return {"available": False, "opportunities": [], "note": f"{SAVINGS_MART} is not published"}
    cols, rows = m.columns(
        """select * from read_parquet($fct_savings_opportunities)
           order by monthly_savings desc, opportunity_id limit $limit""",
        {"limit": _limit(limit)},
        marts=(SAVINGS_MART,),
    )
    return {"available": True, "opportunities": _rows(cols, rows)}


def _inside(root: str, path: str) -> Path:
    """``path`` (relative to ``root`` or absolute) resolved, refused if it leaves ``root``."""
    if not path or len(path) > 1000 or "\x00" in path:
        raise ToolInputError("path is a plan JSON or .tf folder under the gate root")
    base = Path(root).resolve()
    p = (base / path).resolve()
    if p != base and base not in p.parents:
        raise ToolInputError("path must stay inside the gate root")
    if not p.exists():
        raise ToolInputError(f"no such plan or folder under the gate root: {path[:200]!r}")
    return p


def price_terraform(
    ctx: Context, path: str, environment: str | None = None, max_resources: int = 50
) -> dict[str, Any]:
    """Monthly list-price cost of a Terraform plan JSON or .tf folder (iac_gate, offline), with the
    policy decision when the gate root holds a ``policies`` folder."""
    from iac_gate.errors import GateInputError
    from iac_gate.gate import run_gate
    from iac_gate.render import render_json

    p = _inside(ctx.gate_root, path)
    if environment is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", environment):
        raise ToolInputError("environment is 1-40 letters, digits or _.-")
    policies = Path(ctx.gate_root).resolve() / "policies"
    try:
        res = run_gate(
            p,
            environment=environment,
            policies_path=policies if policies.is_dir() else None,
            root=Path(ctx.gate_root).resolve() if p.is_dir() else None,
            max_resources=10_000,
        )
    except GateInputError as e:
        raise ToolInputError(str(e)[:500]) from None
    except (RecursionError, ValueError, OSError) as e:  # say what, never a traceback
        raise ToolInputError(f"{path[:200]}: could not evaluate ({type(e).__name__})") from None
    doc = json.loads(render_json(res))
    resources = doc.get("resources", [])
    doc["resources"] = resources[: _limit(max_resources)]
    doc["resources_truncated"] = len(resources) > max_resources
    return doc
