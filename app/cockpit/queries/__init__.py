"""Named, parameterized queries over the published Parquet marts (DESIGN.md, Serving), one module
per concern: ``core`` (Marts, team scope, MartMissing), ``overview``, ``explorer`` (and teams),
``tagging`` (and optional marts), ``anomalies``, ``budgets``. Pages import ``queries as q``; every
name is re-exported here.

The cockpit never opens the DuckDB warehouse: each query opens a short-lived in-memory DuckDB
connection that reads `<marts_dir>/<mart>.parquet` files, which the pipeline replaces atomically.
Filter values are always bound parameters; only identifiers chosen from the fixed `DIMENSIONS`
and `COST_COLUMNS` maps are ever placed in SQL text. No business logic lives here beyond
selecting, filtering and summing what the marts hold.
"""

from app.cockpit.queries.anomalies import (
    ANOMALY_STATUSES,
    anomaly_inbox,
    anomaly_kpis,
    anomaly_series,
    apply_status,
    team_anomalies,
)
from app.cockpit.queries.budgets import (
    budget_burn,
    budget_latest,
    budget_vs_forecast,
    forecast_scopes,
    forecast_vs_actual,
)
from app.cockpit.queries.core import _IN_SCOPE, OPTIONAL, TEAM_SCOPE, MartMissing, Marts, _run
from app.cockpit.queries.explorer import (
    COST_COLUMNS,
    DIMENSIONS,
    GRAINS,
    RESOURCE_LEVEL,
    Explore,
    account_names,
    date_range,
    explore,
    explore_totals,
    filter_values,
    monthly_showback,
    source_of,
    tag_keys,
    team_breakdown,
    team_hierarchy,
    top_movers,
)
from app.cockpit.queries.overview import (
    Kpis,
    allocated_share,
    allocation_30d,
    daily_by_provider,
    freshness,
    kpis,
    last_run,
    main_currency,
    tag_compliance_30d,
)
from app.cockpit.queries.tagging import (
    iac_checks,
    table,
    tag_coverage_by,
    tag_coverage_by_month,
    untagged_resources,
)

__all__ = [
    "ANOMALY_STATUSES",
    "COST_COLUMNS",
    "DIMENSIONS",
    "Explore",
    "GRAINS",
    "Kpis",
    "MartMissing",
    "Marts",
    "OPTIONAL",
    "RESOURCE_LEVEL",
    "TEAM_SCOPE",
    "_IN_SCOPE",
    "_run",
    "account_names",
    "allocated_share",
    "allocation_30d",
    "anomaly_inbox",
    "anomaly_kpis",
    "anomaly_series",
    "apply_status",
    "budget_burn",
    "budget_latest",
    "budget_vs_forecast",
    "daily_by_provider",
    "date_range",
    "explore",
    "explore_totals",
    "filter_values",
    "forecast_scopes",
    "forecast_vs_actual",
    "freshness",
    "iac_checks",
    "kpis",
    "last_run",
    "main_currency",
    "monthly_showback",
    "source_of",
    "table",
    "tag_compliance_30d",
    "tag_coverage_by",
    "tag_coverage_by_month",
    "tag_keys",
    "team_anomalies",
    "team_breakdown",
    "team_hierarchy",
    "top_movers",
    "untagged_resources",
]
