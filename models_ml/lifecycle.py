"""Who owns an anomaly event, how old it is, and what happens to it when nobody looks.

- **owner** — the team that owns the event's scope: the team itself for a team series, the service
  catalog's owner for a service (``dim_services.owner_team_id``), the account's default team for an
  account (``dim_accounts.default_team_id``), else ``LifecycleRule.default_owner`` (a provider, an
  unowned service or account).
- **age** — days from the event's first day to the last day of data.
- **lifecycle** — decided by a rule that is configuration (``LifecycleRule``, the Dagster
  ``AnomalyConfig``): a human status (acknowledged, resolved) always wins; an event still running
  (``ongoing``, a level shift) never expires; an open event nobody touched is ``expired`` once it
  ended ``expire_after_days`` before the last day of data (it leaves the inbox; the history keeps
  it), else ``escalated`` once it is ``escalate_after_days`` old (its owner is notified again, as
  ``anomaly_escalated``). Otherwise ``open``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

LIFECYCLE_STATES = ("open", "escalated", "expired", "acknowledged", "resolved")


@dataclass(frozen=True)
class LifecycleRule:
    escalate_after_days: int = 7
    expire_after_days: int = 30
    default_owner: str = "finops"

    def __post_init__(self) -> None:
        if self.escalate_after_days < 1 or self.expire_after_days < 1:
            raise ValueError("escalate_after_days and expire_after_days must be at least 1")


def owners(
    events: pl.DataFrame,
    service_owners: dict[str, str],
    account_owners: dict[str, str],
    default_owner: str,
) -> pl.Series:
    """The owning team of each event's scope (``scope_type``, ``scope_value`` columns)."""
    out = []
    for st, sv in events.select("scope_type", "scope_value").iter_rows():
        if st == "team":
            owner = sv
        elif st == "service":
            owner = service_owners.get(sv)
        elif st == "account":
            owner = account_owners.get(sv)
        else:
            owner = None
        out.append(owner or default_owner)
    return pl.Series("owner", out, dtype=pl.String)


def apply_lifecycle(
    events: pl.DataFrame, human_status: dict[str, str], as_of: dt.date, rule: LifecycleRule
) -> pl.DataFrame:
    """``events`` (``event_id, start_date, end_date, ongoing``) with ``age_days`` and ``lifecycle``
    as of ``as_of``; ``human_status`` is event_id -> the latest human status."""
    age = (pl.lit(as_of) - pl.col("start_date")).dt.total_days().cast(pl.Int64)
    since_end = (pl.lit(as_of) - pl.col("end_date")).dt.total_days()
    human = pl.col("event_id").replace_strict(human_status, default="open", return_dtype=pl.String)
    state = (
        pl.when(human != "open")
        .then(human)
        .when(~pl.col("ongoing") & (since_end >= rule.expire_after_days))
        .then(pl.lit("expired"))
        .when(age >= rule.escalate_after_days)
        .then(pl.lit("escalated"))
        .otherwise(pl.lit("open"))
    )
    return events.with_columns(age.alias("age_days"), state.alias("lifecycle"))
