"""GCP Cloud Billing detailed export, as BigQuery extracts it to files (parquet or JSONL).

Nested records as in the BigQuery table: ``service``, ``sku``, ``project`` (with ``labels``),
``labels``, ``system_labels``, ``location``, ``resource``, ``usage``, ``invoice.month``,
``credits[]``, ``cost_type``, ``currency``. One file per invoice month under
``<out>/<table>/invoice_month=YYYYMM/000000000000.<ext>``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.samples.common import (
    Anomaly,
    Month,
    Resources,
    active_pairs,
    apply_anomalies,
    day_factors,
    hex_ids,
    lifecycle,
    messy_tags,
    usage_quantities,
)
from ingest.samples.org import Org

BILLING_ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
TABLE = "gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9"
TEAM_PROJECTS = {
    "ml-inference": ["sibyl-ml-prod"],
    "llm-apps": ["sibyl-ml-prod"],
    "ml-training": ["sibyl-ml-prod"],
    "analytics-warehouse": ["sibyl-analytics"],
    "data-platform": ["sibyl-analytics"],
    "reporting": ["sibyl-analytics"],
    "experimentation": ["sibyl-growth-prod", "sibyl-sandbox"],
    "personalization": ["sibyl-growth-prod"],
    "marketing-analytics": ["sibyl-growth-prod", "sibyl-sandbox"],
    "observability": ["sibyl-analytics", "sibyl-ml-prod"],
}
PROJECT_NUMBERS = {
    "sibyl-ml-prod": "481516234200",
    "sibyl-analytics": "481516234201",
    "sibyl-growth-prod": "481516234202",
    "sibyl-sandbox": "481516234203",
}
REGIONS = ["us-central1", "us-central1", "europe-west1", "us-east4"]


@dataclass(frozen=True)
class Template:
    service_id: str
    service: str
    sku_id: str
    sku: str
    unit: str
    pricing_unit: str
    per_pricing_unit: float  # usage units per pricing unit
    rate: float  # USD per pricing unit
    qty_range: tuple[float, float]
    kind: str
    hourly: bool = False
    weekly: bool = False
    sud: bool = False


TEMPLATES = [
    Template(
        "6F81-5844-456A",
        "Compute Engine",
        "CP-N2-STD-8",
        "N2 Instance Core running in Americas",
        "seconds",
        "hour",
        3600,
        0.031611,
        (8, 8),
        "instance",
        True,
        sud=True,
    ),
    Template(
        "6F81-5844-456A",
        "Compute Engine",
        "CP-N2-RAM",
        "N2 Instance Ram running in Americas",
        "byte-seconds",
        "gibibyte hour",
        3865470566400,
        0.004237,
        (32, 64),
        "instance",
        True,
        sud=True,
    ),
    Template(
        "6F81-5844-456A",
        "Compute Engine",
        "CP-PD-SSD",
        "SSD backed PD Capacity",
        "byte-seconds",
        "gibibyte month",
        2.8324e15,
        0.17,
        (100, 2000),
        "disk",
    ),
    Template(
        "24E6-581D-38E5",
        "BigQuery",
        "BQ-ANALYSIS",
        "Analysis",
        "bytes",
        "tebibyte",
        1099511627776,
        6.25,
        (0.2, 6),
        "dataset",
        weekly=True,
    ),
    Template(
        "24E6-581D-38E5",
        "BigQuery",
        "BQ-ACTIVE-STORAGE",
        "Active Logical Storage",
        "byte-seconds",
        "gibibyte month",
        2.8324e15,
        0.02,
        (500, 20000),
        "dataset",
    ),
    Template(
        "95FF-2EF5-5EA1",
        "Cloud Storage",
        "GCS-STD-US",
        "Standard Storage US Multi-region",
        "byte-seconds",
        "gibibyte month",
        2.8324e15,
        0.026,
        (100, 30000),
        "bucket",
    ),
    Template(
        "CCD8-9BF1-090E",
        "Kubernetes Engine",
        "GKE-CLUSTER",
        "Regional Kubernetes Clusters",
        "seconds",
        "hour",
        3600,
        0.10,
        (1, 1),
        "cluster",
        True,
    ),
    Template(
        "9662-B51E-5089",
        "Cloud SQL",
        "SQL-PG-CORE",
        "Cloud SQL for PostgreSQL: Regional - vCPU",
        "seconds",
        "hour",
        3600,
        0.0826,
        (4, 16),
        "sql",
        True,
    ),
    Template(
        "C7E2-9256-1C43",
        "Vertex AI",
        "VTX-GEMINI-IN",
        "Gemini 1.5 Pro Input Characters",
        "count",
        "count",
        1000,
        0.0003125,
        (1e5, 8e6),
        "endpoint",
        weekly=True,
    ),
    Template(
        "152E-C115-5142",
        "Cloud Run",
        "RUN-CPU",
        "CPU Allocation Time",
        "seconds",
        "vCPU-second",
        1,
        0.000024,
        (20000, 900000),
        "service",
        weekly=True,
    ),
    Template(
        "5490-F7B7-8DF6",
        "Cloud Logging",
        "LOG-INGEST",
        "Log Volume",
        "bytes",
        "gibibyte",
        1073741824,
        0.50,
        (5, 200),
        "none",
    ),
]
HOURLY = np.array([t.hourly for t in TEMPLATES])

KV = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
CREDITS = pa.list_(
    pa.struct(
        [
            ("name", pa.string()),
            ("amount", pa.float64()),
            ("full_name", pa.string()),
            ("id", pa.string()),
            ("type", pa.string()),
        ]
    )
)
SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("usage_start_time", pa.timestamp("us", tz="UTC")),
        ("usage_end_time", pa.timestamp("us", tz="UTC")),
        (
            "project",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("number", pa.string()),
                    ("name", pa.string()),
                    ("labels", KV),
                    ("ancestry_numbers", pa.string()),
                ]
            ),
        ),
        ("labels", KV),
        ("system_labels", KV),
        (
            "location",
            pa.struct(
                [
                    ("location", pa.string()),
                    ("country", pa.string()),
                    ("region", pa.string()),
                    ("zone", pa.string()),
                ]
            ),
        ),
        ("resource", pa.struct([("name", pa.string()), ("global_name", pa.string())])),
        ("export_time", pa.timestamp("us", tz="UTC")),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("currency_conversion_rate", pa.float64()),
        (
            "usage",
            pa.struct(
                [
                    ("amount", pa.float64()),
                    ("unit", pa.string()),
                    ("amount_in_pricing_units", pa.float64()),
                    ("pricing_unit", pa.string()),
                ]
            ),
        ),
        ("credits", CREDITS),
        ("invoice", pa.struct([("month", pa.string())])),
        ("cost_type", pa.string()),
        ("cost_at_list", pa.float64()),
    ]
)


def build_resources(rng: np.random.Generator, org: Org, n: int, total_days: int) -> Resources:
    teams = list(TEAM_PROJECTS)
    team_of = [teams[i] for i in rng.integers(len(teams), size=n)]
    tmpl = rng.integers(len(TEMPLATES), size=n)
    env_of = {a.account_id: a.environment for a in org.accounts_for("gcp")}
    hexes = hex_ids(rng, n, 12)
    ids, names, projects, regions, tags = [], [], [], [], []
    for i in range(n):
        t = TEMPLATES[tmpl[i]]
        team = team_of[i]
        opts = TEAM_PROJECTS[team]
        proj = opts[0] if rng.random() < 0.8 else opts[rng.integers(len(opts))]
        region = REGIONS[rng.integers(len(REGIONS))]
        name = f"{team}-{t.kind}-{hexes[i][:6]}" if t.kind != "none" else ""
        gname = {
            "instance": f"//compute.googleapis.com/projects/{proj}/zones/{region}-a/instances/{name}",
            "disk": f"//compute.googleapis.com/projects/{proj}/zones/{region}-a/disks/{name}",
            "dataset": f"//bigquery.googleapis.com/projects/{proj}/datasets/{name.replace('-', '_')}",
            "bucket": f"//storage.googleapis.com/projects/_/buckets/{name}",
            "cluster": f"//container.googleapis.com/projects/{proj}/locations/{region}/clusters/{name}",
            "sql": f"//cloudsql.googleapis.com/projects/{proj}/instances/{name}",
            "endpoint": f"//aiplatform.googleapis.com/projects/{proj}/locations/{region}/endpoints/{name}",
            "service": f"//run.googleapis.com/projects/{proj}/locations/{region}/services/{name}",
            "none": "",
        }[t.kind]
        ids.append(gname)
        names.append(name)
        projects.append(proj)
        regions.append(region)
        tags.append(
            messy_tags(
                rng,
                org,
                team,
                env_of[proj],
                ["team", "owner-team", "squad", "team_name"],
                ["env", "environment", "stage"],
                ["cost-center", "costcenter", "cost_center"],
                lowercase_keys=True,
            )
        )
    lo = np.array([TEMPLATES[k].qty_range[0] for k in tmpl])
    hi = np.array([TEMPLATES[k].qty_range[1] for k in tmpl])
    start, end = lifecycle(rng, n, total_days)
    res = Resources(
        ids=ids,
        names=names,
        team=team_of,
        account=projects,
        region=regions,
        template=tmpl,
        base_qty=np.exp(rng.uniform(np.log(lo), np.log(np.maximum(hi, lo * 1.0001)))),
        start_day=start,
        end_day=end,
        weekly=np.array([TEMPLATES[k].weekly for k in tmpl]),
        growth=rng.normal(0.12, 0.2, size=n),
        tags=tags,
    )
    res.flags["sud"] = np.array([TEMPLATES[k].sud for k in tmpl])
    return res


def month_rows(
    rng: np.random.Generator,
    org: Org,
    res: Resources,
    month: Month,
    day0: int,
    first_day: dt.date,
    anomalies: list[tuple[int, Anomaly]],
) -> pa.Table:
    r, d = active_pairs(res, day0, month.days)
    weekday, t_years = day_factors(first_day, day0 + month.days)
    qty = usage_quantities(rng, r, d, weekday, t_years, res, HOURLY)
    day_dates = np.datetime64(first_day) + d.astype("timedelta64[D]")
    qty = apply_anomalies(qty, r, day_dates, anomalies)
    tmpl = res.template[r]
    # hourly templates: qty is hours x units (cores/GiB); convert to pricing units
    units_per_pricing = np.array([t.per_pricing_unit for t in TEMPLATES])[tmpl]
    rate = np.array([t.rate for t in TEMPLATES])[tmpl]
    monthly = np.array(["month" in t.pricing_unit for t in TEMPLATES])[tmpl]
    pricing_qty = np.where(monthly, qty / month.days_in_month, qty)
    pricing_qty = np.round(pricing_qty, 6)
    usage_amount = np.round(pricing_qty * units_per_pricing, 3)
    cost = np.round(pricing_qty * rate, 6)
    sud = res.flags["sud"][r]
    name_of = {a.account_id: a.account_name for a in org.accounts_for("gcp")}
    export_time = dt.datetime.combine(month.start, dt.time(6), tzinfo=dt.UTC)
    rows = []
    inv = month.start.strftime("%Y%m")
    for i in range(r.shape[0]):
        ri = int(r[i])
        t = TEMPLATES[tmpl[i]]
        day = first_day + dt.timedelta(days=int(d[i]))
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        proj = res.account[ri]
        credits = []
        if sud[i]:
            credits.append(
                {
                    "name": "Sustained Usage Discount",
                    "amount": -round(float(cost[i]) * 0.2, 6),
                    "full_name": None,
                    "id": "SUD",
                    "type": "SUSTAINED_USAGE_DISCOUNT",
                }
            )
        if proj == "sibyl-sandbox" and day0 < 120:
            credits.append(
                {
                    "name": "Free Trial",
                    "amount": -round(float(cost[i]) * 0.5, 6),
                    "full_name": "Free trial credit",
                    "id": "FREE-TRIAL",
                    "type": "PROMOTION",
                }
            )
        region = res.region[ri]
        rows.append(
            {
                "billing_account_id": BILLING_ACCOUNT,
                "service": {"id": t.service_id, "description": t.service},
                "sku": {"id": t.sku_id, "description": t.sku},
                "usage_start_time": start,
                "usage_end_time": start + dt.timedelta(days=1),
                "project": {
                    "id": proj,
                    "number": PROJECT_NUMBERS[proj],
                    "name": name_of[proj],
                    "labels": [{"key": "portfolio", "value": "sibyl"}],
                    "ancestry_numbers": f"/123456789/{PROJECT_NUMBERS[proj]}/",
                },
                "labels": [{"key": k, "value": v} for k, v in res.tags[ri].items()],
                "system_labels": (
                    [{"key": "compute.googleapis.com/machine_spec", "value": "n2-standard-8"}]
                    if t.kind == "instance"
                    else []
                ),
                "location": {
                    "location": region,
                    "country": "US" if region.startswith("us") else "BE",
                    "region": region,
                    "zone": f"{region}-a" if t.kind in ("instance", "disk") else None,
                },
                "resource": {"name": res.names[ri] or None, "global_name": res.ids[ri] or None},
                "export_time": export_time,
                "cost": float(cost[i]),
                "currency": "USD",
                "currency_conversion_rate": 1.0,
                "usage": {
                    "amount": float(usage_amount[i]),
                    "unit": t.unit,
                    "amount_in_pricing_units": float(pricing_qty[i]),
                    "pricing_unit": t.pricing_unit,
                },
                "credits": credits,
                "invoice": {"month": inv},
                "cost_type": "regular",
                "cost_at_list": float(cost[i]),
            }
        )
    # one tax line per invoice month on the billing account (no project)
    total = float(cost.sum())
    rows.append(
        {
            "billing_account_id": BILLING_ACCOUNT,
            "service": {"id": "2062-016F-44A2", "description": "Invoice"},
            "sku": {"id": "TAX-US", "description": "Tax"},
            "usage_start_time": dt.datetime.combine(month.start, dt.time(), tzinfo=dt.UTC),
            "usage_end_time": dt.datetime.combine(
                month.start + dt.timedelta(days=month.days), dt.time(), tzinfo=dt.UTC
            ),
            "project": None,
            "labels": [],
            "system_labels": [],
            "location": None,
            "resource": None,
            "export_time": export_time,
            "cost": round(total * 0.05, 6),
            "currency": "USD",
            "currency_conversion_rate": 1.0,
            "usage": None,
            "credits": [],
            "invoice": {"month": inv},
            "cost_type": "tax",
            "cost_at_list": None,
        }
    )
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def write_month(out_dir: Path, month: Month, table: pa.Table, fmt: str) -> Path:
    folder = out_dir / TABLE / f"invoice_month={month.start:%Y%m}"
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        path = folder / "000000000000.parquet"
        pq.write_table(table, path, compression="snappy")
        return path
    path = folder / "000000000000.json.gz"

    def default(o: object) -> str:
        if isinstance(o, dt.datetime):
            return o.strftime("%Y-%m-%d %H:%M:%S UTC")
        raise TypeError(type(o))

    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for row in table.to_pylist():
            fh.write(json.dumps(row, default=default) + "\n")
    return path
