"""The marts as one user may read them: ``Marts`` (short-lived DuckDB connections over the
published ``<marts_dir>/<mart>.parquet`` or a Postgres warehouse's tables, as a
``ingest.pg_marts.MartSource`` binds them; bound parameters; a cache keyed by each mart's version)
and the team scope every query carries (``TEAM_SCOPE``); ``MartMissing`` says how to produce a
mart. ``marts_dir`` may be a local folder or an s3:// gs:// abfs:// URL (read through fsspec)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from ingest import fs as lakefs
from ingest import pg_marts
from ingest.pg_marts import MartSource, ParquetMarts

OPTIONAL = {  # marts other pipelines produce, and how to produce them
    "fct_cost_anomalies": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_anomaly_series": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_cost_forecasts": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_budget_status": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_savings_opportunities": "the Dagster job `savings_weekly` (or `make demo`)",
    "fct_purchase_recommendations": "the Dagster job `savings_weekly` (or `make demo`)",
    "fct_purchase_savings_curve": "the Dagster job `savings_weekly` (or `make demo`)",
    "fct_ai_costs_daily": "the Dagster jobs `ai_ingest` and `ai_publish` (or `make demo`; docs/ai_spend.md)",
    "fct_ai_agents_daily": "the Dagster jobs `ai_ingest` and `ai_publish` (or `make demo`; docs/ai_spend.md)",
    "fct_ai_sessions": "the Dagster jobs `ai_ingest` and `ai_publish` (or `make demo`; docs/ai_spend.md)",
    "fct_iac_checks": "the `ci_plan_files` sensor and `gate/iac_policy_check` asset (`sibyl gate`, docs/iac_gate.md)",
}


class MartMissing(LookupError):
    def __init__(self, mart: str, path: str) -> None:
        how = OPTIONAL.get(
            mart, "`make demo` (or the Dagster jobs `ingest_exports` and `transform_marts`)"
        )
        super().__init__(
            f"`{mart}` has not been produced yet ({lakefs.redact(path)} does not exist). "
            f"Produce it with {how}."
        )
        self.mart = mart


_IN_SCOPE = "in (select unnest($_scope_teams))"
# Mart -> the rows a team-scoped user may read (constant SQL; the team list is a bound parameter).
# A mart not listed here holds organization-wide money (reconciliation, ingest control totals) and
# returns no rows to a team-scoped user.
TEAM_SCOPE: dict[str, str] = {
    "fct_daily_costs": f"team_id {_IN_SCOPE}",
    "fct_resource_daily_costs": f"team_id {_IN_SCOPE}",
    "fct_cost_by_team_30d": f"team_id {_IN_SCOPE}",
    "fct_untagged_resources": f"team_id {_IN_SCOPE}",
    "fct_tag_compliance": f"team_id {_IN_SCOPE}",
    "fct_resource_attribution": f"team_id {_IN_SCOPE}",
    "dim_teams": f"team_id {_IN_SCOPE}",
    "dim_services": "true",
    "dim_accounts": "true",
    "fct_cost_anomalies": f"owner_team_id {_IN_SCOPE}",
    "fct_budget_status": f"scope_type = 'team' and scope_value {_IN_SCOPE}",
    "fct_anomaly_series": f"regexp_extract(series_id, '^team:(.*)[|][^|]*$', 1) {_IN_SCOPE}",
    "fct_cost_forecasts": f"regexp_extract(series_id, '^team:(.*)[|][^|]*$', 1) {_IN_SCOPE}",
    "fct_iac_checks": f"team {_IN_SCOPE}",
    "fct_savings_opportunities": f"team_id {_IN_SCOPE}",
    "fct_allocated_costs_monthly": f"team_id {_IN_SCOPE}",  # issue 15: after shared-cost allocation
    # AI spend (issue 14): rows of the teams' agents, projects and cloud lines
    "fct_ai_costs_daily": f"team_id {_IN_SCOPE}",
    "fct_ai_agents_daily": f"team_id {_IN_SCOPE}",
    "fct_ai_sessions": f"team_id {_IN_SCOPE}",
    "fct_ai_charges": f"team_id {_IN_SCOPE}",
    "fct_ai_reconciliation": "false",  # provider-wide: finance and admins only
}


def _freeze(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _thaw(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


@functools.lru_cache(maxsize=512)
def _run(
    sql: str,
    frozen: tuple[tuple[str, Any], ...],
    version: tuple[tuple[str, str, int], ...],
    root: str = "",
    source: MartSource | None = None,
) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """One query on a short-lived connection, cached by its text, parameters and the version
    (mtime or etag, size; a Postgres table's identity and changes) of every mart it reads: a
    republished mart is a new cache key. ``source`` reads the marts (None: the Parquet files
    under ``root``, the marts folder, whose filesystem is registered when it is remote)."""
    source = source or ParquetMarts(root)
    marts = tuple(m for m, *_ in version)  # the marts the query reads, and their versions
    cols, rows = pg_marts.query(source, sql, {k: _thaw(v) for k, v in frozen}, marts)
    return tuple(cols), tuple(rows)


@dataclass(frozen=True)
class Marts:
    """The marts as one user may read them: ``teams`` None reads every team; a tuple of team ids
    restricts every query on every mart to those teams' rows (TEAM_SCOPE). ``source`` says where
    the marts are (ingest.pg_marts: a Postgres warehouse); None reads the Parquet files published
    under ``marts_dir``."""

    marts_dir: str
    teams: tuple[str, ...] | None = None
    source: MartSource | None = None

    def _source(self) -> MartSource:
        return self.source or ParquetMarts(self.marts_dir)

    def path(self, mart: str) -> str:
        """The mart's file: a local path, or a URL under a remote marts folder (Parquet only)."""
        return lakefs.join(self.marts_dir, f"{mart}.parquet")

    def has(self, mart: str) -> bool:
        return self._source().has(mart)

    def modified(self, mart: str) -> dt.datetime | None:
        """When the mart's file was published (UTC); None on a warehouse (tables carry no time)."""
        return lakefs.modified(self.path(mart)) if self.source is None else None

    def scoped(self) -> bool:
        return self.teams is not None

    def _bind(
        self, sql: str, params: dict[str, Any] | None, marts: tuple[str, ...]
    ) -> dict[str, Any]:
        """Parameters, only those the SQL names (DuckDB rejects extra ones); a mart that does not
        exist raises MartMissing (the source binds the marts themselves)."""
        source = self._source()
        for m in marts:
            if not source.has(m):
                raise MartMissing(m, source.describe(m))
        bound: dict[str, Any] = dict(params or {})
        if self.teams is not None:
            bound["_scope_teams"] = list(self.teams)
        return {k: v for k, v in bound.items() if k not in marts and re.search(rf"\${k}\b", sql)}

    def _scope_sql(self, sql: str, marts: tuple[str, ...]) -> str:
        """``sql`` with every ``read_parquet($<mart>)`` narrowed to the user's teams. Fails closed:
        a mart named any other way in the text is refused rather than read unscoped."""
        if self.teams is None:
            return sql
        for m in marts:
            pred = TEAM_SCOPE.get(m, "false")
            plain = f"read_parquet(${m})"
            if sql.count(f"${m}") != sql.count(plain):
                raise ValueError(
                    f"{m} is read without read_parquet(${m}); cannot apply the team scope"
                )
            # the predicate is a constant of TEAM_SCOPE; the teams are a bound parameter
            sql = sql.replace(plain, f"(select * from read_parquet(${m}) where {pred})")  # noqa: S608
        return sql

    def query(
        self, sql: str, params: dict[str, Any] | None = None, *, marts: tuple[str, ...]
    ) -> list[tuple[Any, ...]]:
        """Rows of `sql`, where `read_parquet($<mart>)` reads a mart and other `$name`s bind
        `params`."""
        return self.columns(sql, params, marts=marts)[1]

    def columns(
        self, sql: str, params: dict[str, Any] | None = None, *, marts: tuple[str, ...]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of `sql` (see `query`), scoped to the user's teams, cached until
        one of the marts it reads is republished."""
        sql = self._scope_sql(sql, marts)
        bound = self._bind(sql, params, marts)
        source = self._source()
        version = tuple((m, *source.version(m)) for m in marts)
        frozen = tuple(sorted((k, _freeze(v)) for k, v in bound.items()))
        cols, rows = _run(sql, frozen, version, self.marts_dir, self.source)
        return list(cols), list(rows)
