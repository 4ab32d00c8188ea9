"""`sibyl mcp`: Sibyl's answers for AI agents, as a Model Context Protocol server over stdio (the
official `mcp` SDK). Tools are thin adapters over `app.mcp_tools`; resources document the FOCUS
view and the published marts from the dbt YAML. Reads the published marts only.

A bad argument comes back as a tool error naming it (never a traceback); a mart that has not been
produced yet says how to produce it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml  # type: ignore[import-untyped]
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError

from app import mcp_tools as t
from app.cockpit.queries import MartMissing

log = logging.getLogger(__name__)
MARTS_YAML = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"
F = TypeVar("F", bound=Callable[..., Any])


def _guard(fn: F) -> F:
    """Tool errors for bad input and missing marts; anything else is logged to stderr and
    reported by type only (no file content, no paths, no traceback to the client)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (t.ToolInputError, MartMissing) as e:
            raise ToolError(str(e)) from None
        except Exception as e:
            log.exception("sibyl mcp: %s failed", fn.__name__)
            raise ToolError(
                f"{fn.__name__} failed ({type(e).__name__}); see the server log"
            ) from None

    return wrapper  # type: ignore[return-value]


def marts_docs() -> dict[str, dict[str, Any]]:
    """Mart name -> {description, columns: {name: description}} from the dbt YAML files."""
    out: dict[str, dict[str, Any]] = {}
    for f in sorted(MARTS_YAML.rglob("*.yml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for mdl in doc.get("models") or []:
            cols = {
                str(c.get("name")): str(c.get("description") or "")
                for c in mdl.get("columns") or []
            }
            out[str(mdl["name"])] = {
                "description": str(mdl.get("description") or ""),
                "columns": cols,
            }
    return out


def published_schema(m: Any, mart: str) -> list[dict[str, str]]:
    """Column names and Arrow types of a published mart file (its footer only), [] if absent."""
    if not m.has(mart):
        return []
    import pyarrow.parquet as pq

    from ingest import fs as lakefs

    fs, path = lakefs.get_fs(m.path(mart))  # a local file or an object under a bucket URL
    with fs.open(path, "rb") as fh:
        schema = pq.read_schema(fh)
    return [{"name": f.name, "type": str(f.type)} for f in schema]


def build_server(ctx: t.Context) -> FastMCP:
    """The server with every tool and resource bound to ``ctx`` (marts, lake, caller)."""
    mcp = FastMCP(
        "sibyl",
        instructions=(
            "Sibyl FinOps lakehouse: cloud spend by any dimension, top movers, anomalies, budgets and "
            "circuit breakers, savings, and the monthly cost of a Terraform change. Money is a "
            "decimal string in the row's currency."
        ),
    )

    @mcp.tool()
    @_guard
    def cost_by_dimension(
        dimension: str = "service",
        start: str | None = None,
        end: str | None = None,
        cost: str = "effective",
        filters: dict[str, list[str]] | None = None,
        tag_key: str = "team",
        limit: int = 50,
    ) -> dict[str, Any]:
        """Total cost per value of a dimension (provider, account, service, region, team, business
        unit, business group, environment, resource, tag value) over an inclusive date range
        (YYYY-MM-DD, at most 400 days), per currency, largest first. cost: billed, effective or
        list. filters: {dimension: [values]}. tag_key: the tag for the 'tag value' dimension."""
        return t.cost_by(ctx, dimension, start, end, cost, filters, tag_key, limit)

    @mcp.tool()
    @_guard
    def top_movers(
        dimension: str = "service", days: int = 30, cost: str = "effective", limit: int = 10
    ) -> dict[str, Any]:
        """Largest cost changes of the last `days` days against the `days` before, per value."""
        return t.top_movers(ctx, dimension, days, cost, limit)

    @mcp.tool()
    @_guard
    def list_anomalies(status: str = "open", limit: int = 20) -> dict[str, Any]:
        """Cost anomaly events (status: open, acknowledged, resolved or all), newest first."""
        return t.anomalies(ctx, status, limit)

    @mcp.tool()
    @_guard
    def acknowledge_anomaly(event_id: str, note: str) -> dict[str, Any]:
        """Acknowledge an anomaly event with a note saying why (written to the audit log). Needs a
        role that may acknowledge (finance, engineering for its teams, admin)."""
        return t.acknowledge_anomaly(ctx, event_id, note)

    @mcp.tool()
    @_guard
    def budget_status(scope: str | None = None) -> dict[str, Any]:
        """Newest status of every budget, or of one scope (team:payments, provider:aws,
        budget:<id>): actual to date, projection, alert level, circuit breaker state."""
        return t.budget_status(ctx, scope)

    @mcp.tool()
    @_guard
    def breaker_check(scope: str) -> dict[str, Any]:
        """Ask before spending: may_spend is false when a budget breaker on the scope is open."""
        return t.breaker_check(ctx, scope)

    @mcp.tool()
    @_guard
    def allocated_costs(month: str, team: str | None = None) -> dict[str, Any]:
        """Per team for a billing month (YYYY-MM): cost attributed directly vs received through
        shared-cost allocation rules (billed cost, per currency), with the rules involved."""
        return t.allocated_costs(ctx, month, team)

    @mcp.tool()
    @_guard
    def savings_opportunities(limit: int = 20) -> dict[str, Any]:
        """Savings opportunities, when the savings pipeline has published them."""
        return t.savings(ctx, limit)

    @mcp.tool()
    @_guard
    def price_terraform(
        path: str, environment: str | None = None, max_resources: int = 50
    ) -> dict[str, Any]:
        """Monthly cost (list prices, offline catalog) of a Terraform plan JSON (`terraform show
        -json`) or a .tf folder, given relative to the server's gate root; with the policy
        decision when the gate root has a `policies` folder."""
        return t.price_terraform(ctx, path, environment, max_resources)

    @mcp.resource(
        "sibyl://focus/schema", name="focus_schema", mime_type="application/json",
        description="The FOCUS 1.2 view (focus_charges): its columns and what they mean.",
    )  # fmt: skip
    def focus_schema() -> dict[str, Any]:
        doc = marts_docs().get("focus_charges", {})
        return {
            "model": "focus_charges",
            **doc,
            "schema": published_schema(ctx.marts, "focus_charges"),
        }

    @mcp.resource(
        "sibyl://marts", name="marts", mime_type="application/json",
        description="Every published mart: name, description, whether it is published now.",
    )  # fmt: skip
    def marts_index() -> list[dict[str, Any]]:
        m = ctx.marts
        return [
            {"name": k, "description": v["description"], "published": m.has(k)}
            for k, v in marts_docs().items()
        ]

    @mcp.resource(
        "sibyl://marts/{name}", name="mart_doc", mime_type="application/json",
        description="One mart's documentation: description and columns.",
    )  # fmt: skip
    def mart_doc(name: str) -> dict[str, Any]:
        docs = marts_docs()
        if name not in docs:
            raise ValueError("unknown mart; read sibyl://marts for the list")
        return {"name": name, **docs[name], "schema": published_schema(ctx.marts, name)}

    return mcp


def caller_from(users_file: str, user: str | None, role: str | None, teams: str | None) -> t.Caller:
    """The caller: a user of the cockpit's users file (its role and teams), or a role given on
    the command line (engineering needs teams); neither = read everything, change nothing."""
    from app.users import ROLES, load

    if user:
        u = load(users_file).get(user)
        if u is None:
            raise t.ToolInputError(f"no user {user[:64]!r} in the users file")
        return t.Caller(u.username, u.role, u.team_scope)
    if role:
        if role not in ROLES:
            raise t.ToolInputError(f"role must be one of {', '.join(ROLES)}")
        team_ids = tuple(x for x in (teams or "").split(",") if x)
        if role == "engineering" and not team_ids:
            raise t.ToolInputError("an engineering caller needs --teams")
        return t.Caller(f"mcp:{role}", role, team_ids if role == "engineering" else None)
    return t.Caller()


def serve(ctx: t.Context) -> None:
    """Run over stdio until the client closes it."""
    logging.basicConfig(level=logging.WARNING)
    build_server(ctx).run("stdio")
