"""The providers' own recommendations in the same inbox: AWS Cost Optimization Hub, as delivered
by an AWS Data Exports "Cost optimization recommendations" export (CSV or Parquet; its columns
``account_id, action_type, currency_code, ..., estimated_monthly_savings_after_discount, ...,
recommendation_id, ..., resource_arn, resource_id, ...``).

Files go under ``<landing>/recommendations/aws/`` (any depth). Each row becomes an opportunity of
kind rightsize / idle / modernize / purchase (from ``action_type``), worth its
``estimated_monthly_savings_after_discount``, its team the one the charges give the resource.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from models_ml.savings.usage import Opportunity, opportunity_id

log = logging.getLogger(__name__)

COH_REQUIRED = ("action_type", "recommendation_id", "estimated_monthly_savings_after_discount")
COH_KIND = {
    "rightsize": "rightsize", "scalein": "rightsize", "stop": "idle", "delete": "idle",
    "upgrade": "modernize", "migratetograviton": "modernize",
    "purchasesavingsplans": "purchase", "purchasereservedinstances": "purchase",
}  # fmt: skip
MAX_ROWS = 1_000_000


class ProviderRecommendationError(ValueError):
    pass


def read_cost_optimization_hub(files: list[Path]) -> list[dict[str, object]]:
    """Rows of the export files (CSV or Parquet), columns checked; bad files raise naming the file."""
    rows: list[dict[str, object]] = []
    for f in files:
        reader = "read_parquet" if f.suffix == ".parquet" else "read_csv"
        con = duckdb.connect()
        try:
            # reader is one of two constants; the path is a bind parameter
            rel = con.execute(f"select * from {reader}($p) limit {MAX_ROWS + 1}", {"p": str(f)})  # noqa: S608
            cols = [d[0] for d in rel.description]
            missing = [c for c in COH_REQUIRED if c not in cols]
            if missing:
                raise ProviderRecommendationError(
                    f"{f.name}: not a Cost Optimization Hub export (missing {', '.join(missing)})"
                )
            data = rel.fetchall()
        except duckdb.Error as exc:
            raise ProviderRecommendationError(
                f"{f.name}: cannot read ({type(exc).__name__})"
            ) from exc
        finally:
            con.close()
        if len(data) > MAX_ROWS:
            raise ProviderRecommendationError(f"{f.name}: more than {MAX_ROWS} rows")
        rows += [dict(zip(cols, r, strict=True)) for r in data]
    return rows


def coh_opportunities(
    rows: list[dict[str, object]], team_of: Mapping[str, str]
) -> list[Opportunity]:
    """One opportunity per recommendation with a positive saving; unknown action types are kept as
    ``modernize`` only when they save money, and logged."""
    out: list[Opportunity] = []
    for r in rows:
        action = str(r.get("action_type") or "")
        kind = COH_KIND.get(action.lower().replace(" ", ""))
        if kind is None:
            log.info("Cost Optimization Hub action %r mapped to modernize", action[:40])
            kind = "modernize"
        try:
            saving = Decimal(str(r.get("estimated_monthly_savings_after_discount") or 0)).quantize(
                Decimal("0.01")
            )
        except InvalidOperation:
            continue
        if saving <= 0:
            continue
        resource = str(r.get("resource_id") or r.get("resource_arn") or r.get("recommendation_id"))
        arn = str(r.get("resource_arn") or "")
        team = team_of.get(resource) or team_of.get(arn) or "unallocated"
        summary = str(
            r.get("recommended_resource_summary") or r.get("recommended_resource_type") or ""
        )
        title = f"AWS Cost Optimization Hub: {action}" + (f" → {summary}" if summary else "")
        evidence = {
            "source": "AWS Cost Optimization Hub (Data Exports)",
            **{k: r.get(k) for k in ("recommendation_id", "current_resource_type", "recommended_resource_type",
                                     "implementation_effort", "recommendation_lookback_period_in_days",
                                     "estimated_monthly_cost_before_discount", "currency_code", "region")},
        }  # fmt: skip
        out.append(Opportunity(opportunity_id(f"coh:{kind}", "aws", resource), "aws", resource, team, kind,
                               title[:200], saving, 0.8, evidence))  # fmt: skip
    return out


def landing_files(landing_root: str) -> list[Path]:
    """Cost Optimization Hub files under ``<landing>/recommendations/aws/`` (local landing only)."""
    if "://" in landing_root:
        return []
    root = Path(landing_root) / "recommendations" / "aws"
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".csv", ".parquet") and not p.is_symlink()
    )
