"""AWS CUR 2.0 (Data Exports) sample: parquet with map columns, laid out as AWS delivers it.

``<out>/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet`` plus
``<out>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json``.
Line item types: Usage, Tax, Credit, Refund, Fee, SavingsPlanCoveredUsage,
SavingsPlanNegation, SavingsPlanRecurringFee, DiscountedUsage, RIFee.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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

EXPORT_NAME = "sibyl-cur2"
PAYER_ACCOUNT = "123456789012"
PAYER_NAME = "sibyl-management"
SP_ARN = "arn:aws:savingsplans::445566778899:savingsplan/3f6c1a2e-9b7d-4e2a-a1c4-5d8e9f0a1b2c"
RI_ARN = "arn:aws:rds:us-east-1:334455667788:ri:sibyl-rds-ri-r6g"
SP_DISCOUNT = 0.28
RI_DISCOUNT = 0.40
TAX_RATE = 0.06

# Team -> accounts it runs in (prod account first).
TEAM_ACCOUNTS = {
    "web-storefront": ["012345678901", "210987654321"],
    "checkout": ["012345678901", "210987654321"],
    "payments": ["012345678901"],
    "search": ["012345678901"],
    "notifications": ["012345678901"],
    "mobile-app": ["210987654321", "012345678901"],
    "data-platform": ["334455667788"],
    "analytics-warehouse": ["334455667788"],
    "ml-training": ["445566778899"],
    "llm-apps": ["445566778899"],
    "platform-k8s": ["556677889900"],
    "networking": ["556677889900"],
    "observability": ["556677889900"],
    "ci-cd": ["556677889900", "210987654321"],
    "security": ["098765432109"],
    "identity": ["098765432109"],
}
REGIONS = ["us-east-1", "us-east-1", "us-west-2", "eu-west-1"]
REGION_PREFIX = {"us-east-1": "", "us-west-2": "USW2-", "eu-west-1": "EU-"}


@dataclass(frozen=True)
class Template:
    product_code: str
    product_name: str
    product_family: str
    usage_type: str
    operation: str
    unit: str
    rate: float
    qty_range: tuple[float, float]
    kind: str  # resource kind used to build ids
    hourly: bool = False
    instance_type: str = ""
    weekly: bool = False


TEMPLATES = [
    Template(
        "AmazonEC2",
        "Amazon Elastic Compute Cloud",
        "Compute Instance",
        "BoxUsage:m5.xlarge",
        "RunInstances",
        "Hrs",
        0.192,
        (1, 1),
        "instance",
        True,
        "m5.xlarge",
    ),
    Template(
        "AmazonEC2",
        "Amazon Elastic Compute Cloud",
        "Compute Instance",
        "BoxUsage:c6i.2xlarge",
        "RunInstances",
        "Hrs",
        0.34,
        (1, 1),
        "instance",
        True,
        "c6i.2xlarge",
    ),
    Template(
        "AmazonEC2",
        "Amazon Elastic Compute Cloud",
        "Compute Instance",
        "BoxUsage:r6g.xlarge",
        "RunInstances",
        "Hrs",
        0.2016,
        (1, 1),
        "instance",
        True,
        "r6g.xlarge",
    ),
    Template(
        "AmazonEC2",
        "Amazon Elastic Compute Cloud",
        "Compute Instance",
        "BoxUsage:g5.2xlarge",
        "RunInstances",
        "Hrs",
        1.212,
        (1, 1),
        "instance",
        True,
        "g5.2xlarge",
    ),
    Template(
        "AmazonEC2",
        "Amazon Elastic Compute Cloud",
        "Storage",
        "EBS:VolumeUsage.gp3",
        "CreateVolume-Gp3",
        "GB-Mo",
        0.08,
        (3, 60),
        "volume",
    ),
    Template(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "Storage",
        "TimedStorage-ByteHrs",
        "StandardStorage",
        "GB-Mo",
        0.023,
        (20, 900),
        "bucket",
    ),
    Template(
        "AmazonS3",
        "Amazon Simple Storage Service",
        "API Request",
        "Requests-Tier1",
        "PutObject",
        "Requests",
        0.000005,
        (20000, 900000),
        "bucket",
        weekly=True,
    ),
    Template(
        "AmazonRDS",
        "Amazon Relational Database Service",
        "Database Instance",
        "InstanceUsage:db.r6g.large",
        "CreateDBInstance:0014",
        "Hrs",
        0.225,
        (1, 1),
        "db",
        True,
        "db.r6g.large",
    ),
    Template(
        "AWSLambda",
        "AWS Lambda",
        "Serverless",
        "Lambda-GB-Second",
        "Invoke",
        "Lambda-GB-Second",
        0.0000166667,
        (50000, 3000000),
        "function",
        weekly=True,
    ),
    Template(
        "AmazonEKS",
        "Amazon Elastic Kubernetes Service",
        "Compute",
        "AmazonEKS-Hours:perCluster",
        "CreateOperation",
        "Hrs",
        0.10,
        (1, 1),
        "cluster",
        True,
    ),
    Template(
        "AmazonDynamoDB",
        "Amazon DynamoDB",
        "Provisioned IOPS",
        "ReadCapacityUnit-Hrs",
        "CommittedThroughput",
        "ReadCapacityUnit-Hrs",
        0.00013,
        (2000, 40000),
        "table",
    ),
    Template(
        "AWSDataTransfer",
        "AWS Data Transfer",
        "Data Transfer",
        "DataTransfer-Out-Bytes",
        "RunInstances",
        "GB",
        0.09,
        (5, 400),
        "instance",
        weekly=True,
    ),
    Template(
        "AmazonBedrock",
        "Amazon Bedrock",
        "Amazon Bedrock",
        "Claude3Sonnet-input-tokens",
        "InvokeModelInference",
        "1K tokens",
        0.003,
        (2000, 90000),
        "model",
        weekly=True,
    ),
    Template(
        "AmazonCloudWatch",
        "Amazon CloudWatch",
        "Metric",
        "CW:MetricMonitorUsage",
        "MetricStorage",
        "Metrics",
        0.01,
        (100, 3000),
        "none",
    ),
    Template(
        "awskms",
        "AWS Key Management Service",
        "Encryption Key",
        "KMS-Keys",
        "CreateKey",
        "Keys",
        0.0333,
        (5, 60),
        "none",
    ),
    Template(
        "AmazonRoute53",
        "Amazon Route 53",
        "DNS Zone",
        "HostedZone",
        "",
        "HostedZone",
        0.0167,
        (3, 40),
        "none",
    ),
    Template(
        "AWSCloudTrail",
        "AWS CloudTrail",
        "Management Tools - AWS CloudTrail Data Events Recorded",
        "DataEventsRecorded",
        "",
        "Events",
        0.000001,
        (500000, 4000000),
        "none",
    ),
]
HOURLY = np.array([t.hourly for t in TEMPLATES])
SHARED = {"AmazonCloudWatch", "awskms", "AmazonRoute53", "AWSCloudTrail"}

MAP_SS = pa.map_(pa.string(), pa.string())
SCHEMA = pa.schema(
    [
        ("bill_bill_type", pa.string()),
        ("bill_billing_entity", pa.string()),
        ("bill_billing_period_end_date", pa.timestamp("ms")),
        ("bill_billing_period_start_date", pa.timestamp("ms")),
        ("bill_invoice_id", pa.string()),
        ("bill_invoicing_entity", pa.string()),
        ("bill_payer_account_id", pa.string()),
        ("bill_payer_account_name", pa.string()),
        ("cost_category", MAP_SS),
        ("discount", pa.map_(pa.string(), pa.float64())),
        ("identity_line_item_id", pa.string()),
        ("identity_time_interval", pa.string()),
        ("line_item_availability_zone", pa.string()),
        ("line_item_blended_cost", pa.float64()),
        ("line_item_blended_rate", pa.string()),
        ("line_item_currency_code", pa.string()),
        ("line_item_legal_entity", pa.string()),
        ("line_item_line_item_description", pa.string()),
        ("line_item_line_item_type", pa.string()),
        ("line_item_net_unblended_cost", pa.float64()),
        ("line_item_normalization_factor", pa.float64()),
        ("line_item_normalized_usage_amount", pa.float64()),
        ("line_item_operation", pa.string()),
        ("line_item_product_code", pa.string()),
        ("line_item_resource_id", pa.string()),
        ("line_item_tax_type", pa.string()),
        ("line_item_unblended_cost", pa.float64()),
        ("line_item_unblended_rate", pa.string()),
        ("line_item_usage_account_id", pa.string()),
        ("line_item_usage_account_name", pa.string()),
        ("line_item_usage_amount", pa.float64()),
        ("line_item_usage_end_date", pa.timestamp("ms")),
        ("line_item_usage_start_date", pa.timestamp("ms")),
        ("line_item_usage_type", pa.string()),
        ("pricing_currency", pa.string()),
        ("pricing_public_on_demand_cost", pa.float64()),
        ("pricing_public_on_demand_rate", pa.string()),
        ("pricing_purchase_option", pa.string()),
        ("pricing_rate_code", pa.string()),
        ("pricing_term", pa.string()),
        ("pricing_unit", pa.string()),
        ("product", MAP_SS),
        ("product_instance_type", pa.string()),
        ("product_product_family", pa.string()),
        ("product_region_code", pa.string()),
        ("product_servicecode", pa.string()),
        ("product_sku", pa.string()),
        ("reservation_effective_cost", pa.float64()),
        ("reservation_reservation_a_r_n", pa.string()),
        ("reservation_unused_quantity", pa.float64()),
        ("reservation_unused_recurring_fee", pa.float64()),
        ("resource_tags", MAP_SS),
        ("savings_plan_savings_plan_a_r_n", pa.string()),
        ("savings_plan_savings_plan_effective_cost", pa.float64()),
        ("savings_plan_savings_plan_rate", pa.float64()),
        ("savings_plan_total_commitment_to_date", pa.float64()),
        ("savings_plan_used_commitment", pa.float64()),
    ]
)


def build_resources(
    rng: np.random.Generator, org: Org, n: int, total_days: int
) -> tuple[Resources, list[dict[str, str]]]:
    """``n`` AWS resources owned by the teams of TEAM_ACCOUNTS, plus per-resource product maps."""
    teams = list(TEAM_ACCOUNTS)
    team_of = [teams[i] for i in rng.integers(len(teams), size=n)]
    tmpl = rng.integers(len(TEMPLATES), size=n)
    # always one reserved RDS instance (data-prod) and one Savings-Plan-covered EC2 instance
    # (ml-prod), whatever the scale, so RIFee/DiscountedUsage and SavingsPlan* lines exist
    team_of[0], tmpl[0] = (
        "data-platform",
        next(i for i, t in enumerate(TEMPLATES) if t.product_code == "AmazonRDS"),
    )
    team_of[1], tmpl[1] = "ml-training", 0
    # shared services live in the platform account and are mostly untagged
    ids, names, accounts, regions, tags, products = [], [], [], [], [], []
    hexes = hex_ids(rng, n)
    env_of = {a.account_id: a.environment for a in org.accounts_for("aws")}
    name_of = {a.account_id: a.account_name for a in org.accounts_for("aws")}
    for i in range(n):
        t = TEMPLATES[tmpl[i]]
        team = team_of[i]
        if t.product_code in SHARED:
            acct = "556677889900" if rng.random() < 0.7 else TEAM_ACCOUNTS[team][0]
        else:
            opts = TEAM_ACCOUNTS[team]
            acct = opts[0] if rng.random() < 0.8 else opts[rng.integers(len(opts))]
        region = REGIONS[rng.integers(len(REGIONS))]
        h = hexes[i]
        rid = {
            "instance": f"i-{h}",
            "volume": f"vol-{h}",
            "bucket": f"{team}-{name_of[acct]}-{h[:6]}",
            "db": f"arn:aws:rds:{region}:{acct}:db:{team}-db-{h[:5]}",
            "function": f"arn:aws:lambda:{region}:{acct}:function:{team}-fn-{h[:5]}",
            "cluster": f"arn:aws:eks:{region}:{acct}:cluster/{team}-eks-{h[:4]}",
            "table": f"arn:aws:dynamodb:{region}:{acct}:table/{team}-{h[:5]}",
            "model": f"arn:aws:bedrock:{region}::foundation-model/anthropic.claude-3-sonnet",
            "none": "",
        }[t.kind]
        if t.kind == "model":
            rid = f"{rid}#{team}"  # per-team inference profile
        ids.append(rid)
        names.append(rid.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if rid else "")
        accounts.append(acct)
        regions.append(region)
        if t.product_code in SHARED and acct == "556677889900":
            tg: dict[str, str] = {}
        else:
            tg = messy_tags(
                rng,
                org,
                team,
                env_of[acct],
                ["Team", "team", "owner-team", "TEAM", "Squad"],
                ["Environment", "env", "Env", "stage"],
                ["CostCenter", "cost-center", "cost_center"],
            )
        tags.append({f"user_{k}": v for k, v in tg.items()})
        products.append(
            {
                "product_name": t.product_name,
                "region": region,
                "servicecode": t.product_code,
                **({"instance_type": t.instance_type} if t.instance_type else {}),
            }
        )
    lo = np.array([TEMPLATES[k].qty_range[0] for k in tmpl])
    hi = np.array([TEMPLATES[k].qty_range[1] for k in tmpl])
    start, end = lifecycle(rng, n, total_days)
    res = Resources(
        ids=ids,
        names=names,
        team=team_of,
        account=accounts,
        region=regions,
        template=tmpl,
        base_qty=np.exp(rng.uniform(np.log(lo), np.log(np.maximum(hi, lo * 1.0001)))),
        start_day=start,
        end_day=end,
        weekly=np.array([TEMPLATES[k].weekly for k in tmpl]),
        growth=rng.normal(0.15, 0.2, size=n),
        tags=tags,
    )
    code = np.array([TEMPLATES[k].product_code for k in tmpl])
    acct_arr = np.array(accounts)
    res.flags["sp"] = (code == "AmazonEC2") & np.isin(acct_arr, ["445566778899", "334455667788"])
    res.flags["sp"] &= np.array([TEMPLATES[k].hourly for k in tmpl])
    res.flags["ri"] = (code == "AmazonRDS") & (acct_arr == "334455667788")
    # resources that run the whole period keep commitments simple: no lifecycle noise
    res.start_day = np.where(res.flags["sp"] | res.flags["ri"], 0, res.start_day)
    res.end_day = np.where(res.flags["sp"] | res.flags["ri"], total_days - 1, res.end_day)
    return res, products


def _ts(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "ms")


def _dict_col(values: list[str], idx: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(values)).cast(
        pa.string()
    )


def _usage_chunk(
    rng: np.random.Generator,
    org: Org,
    res: Resources,
    products: list[dict[str, str]],
    month: Month,
    day0: int,
    first_day: dt.date,
    anomalies: list[tuple[int, Anomaly]],
    lo: int,
    hi: int,
    acc: dict[str, object],
) -> list[pa.Table]:
    """Usage (and Savings Plan negation) line items of days [lo, hi) of a billing period;
    accumulates in ``acc`` what the period's fee, tax and support lines are computed from."""
    r, d = active_pairs(res, day0 + lo, hi - lo)
    weekday, t_years = day_factors(first_day, day0 + month.days)
    qty = usage_quantities(rng, r, d, weekday, t_years, res, HOURLY)
    day_dates = np.datetime64(first_day) + d.astype("timedelta64[D]")
    qty = apply_anomalies(qty, r, day_dates, anomalies)
    qty = np.round(qty, 6)
    tmpl = res.template[r]
    rate = np.array([t.rate for t in TEMPLATES])[tmpl]
    # GB-Mo style units are prorated per day
    per_month = np.array([t.unit in ("GB-Mo",) for t in TEMPLATES])[tmpl]
    billed_qty = np.where(per_month, np.round(qty / month.days_in_month, 8), qty)
    cost = np.round(billed_qty * rate, 8)
    n = r.shape[0]
    sp = res.flags["sp"][r]
    ri = res.flags["ri"][r]
    line_type = np.where(sp, "SavingsPlanCoveredUsage", np.where(ri, "DiscountedUsage", "Usage"))
    sp_eff = np.where(sp, np.round(cost * (1 - SP_DISCOUNT), 8), 0.0)
    ri_eff = np.where(ri, np.round(cost * (1 - RI_DISCOUNT), 8), 0.0)
    unblended = np.where(ri, 0.0, cost)

    start_ts = (np.datetime64(first_day, "ms") + d.astype("timedelta64[D]")).astype(
        "datetime64[ms]"
    )
    end_ts = start_ts + np.timedelta64(1, "D")
    month_start, month_end = _ts(month.start), _ts(month.next_start)
    acct_names = {a.account_id: a.account_name for a in org.accounts_for("aws")}
    res_acct = pa.array(res.account)
    tmpl_list = TEMPLATES
    uniq = np.char.add(np.char.add(r.astype("U8"), "-"), d.astype("U6"))
    base = {
        "bill_bill_type": pa.array(np.full(n, "Anniversary")),
        "bill_billing_entity": pa.array(np.full(n, "AWS")),
        "bill_billing_period_end_date": pa.array(np.full(n, month_end)),
        "bill_billing_period_start_date": pa.array(np.full(n, month_start)),
        "bill_invoice_id": pa.nulls(n, pa.string()),
        "bill_invoicing_entity": pa.array(np.full(n, "Amazon Web Services, Inc.")),
        "bill_payer_account_id": pa.array(np.full(n, PAYER_ACCOUNT)),
        "bill_payer_account_name": pa.array(np.full(n, PAYER_NAME)),
        "cost_category": pa.array([[]] * n, MAP_SS),
        "discount": pa.array([[]] * n, pa.map_(pa.string(), pa.float64())),
        "identity_line_item_id": pa.array(np.char.add(f"{month.key}-", uniq)),
        "identity_time_interval": pc.binary_join_element_wise(
            pc.strftime(pa.array(start_ts), "%Y-%m-%dT%H:%M:%SZ"),
            pc.strftime(pa.array(end_ts), "%Y-%m-%dT%H:%M:%SZ"),
            "/",
        ),
        "line_item_availability_zone": pc.binary_join_element_wise(
            pc.take(pa.array(res.region), pa.array(r)), pa.array(np.full(n, "a")), ""
        ),
        "line_item_blended_cost": pa.array(unblended),
        "line_item_blended_rate": pa.array(np.where(ri, 0.0, rate).astype(str)),
        "line_item_currency_code": pa.array(np.full(n, "USD")),
        "line_item_legal_entity": pa.array(np.full(n, "Amazon Web Services, Inc.")),
        "line_item_line_item_description": _dict_col(
            [f"${t.rate} per {t.unit} for {t.usage_type}" for t in tmpl_list], tmpl
        ),
        "line_item_line_item_type": pa.array(line_type),
        "line_item_net_unblended_cost": pa.array(unblended),
        "line_item_normalization_factor": pa.nulls(n, pa.float64()),
        "line_item_normalized_usage_amount": pa.nulls(n, pa.float64()),
        "line_item_operation": _dict_col([t.operation for t in tmpl_list], tmpl),
        "line_item_product_code": _dict_col([t.product_code for t in tmpl_list], tmpl),
        "line_item_resource_id": pc.take(pa.array(res.ids), pa.array(r)),
        "line_item_tax_type": pa.nulls(n, pa.string()),
        "line_item_unblended_cost": pa.array(unblended),
        "line_item_unblended_rate": pa.array(np.where(ri, 0.0, rate).astype(str)),
        "line_item_usage_account_id": pc.take(res_acct, pa.array(r)),
        "line_item_usage_account_name": pc.take(
            pa.array([acct_names[a] for a in res.account]), pa.array(r)
        ),
        "line_item_usage_amount": pa.array(billed_qty),
        "line_item_usage_end_date": pa.array(end_ts),
        "line_item_usage_start_date": pa.array(start_ts),
        "line_item_usage_type": pc.binary_join_element_wise(
            pc.take(pa.array([REGION_PREFIX[x] for x in res.region]), pa.array(r)),
            _dict_col([t.usage_type for t in tmpl_list], tmpl),
            "",
        ),
        "pricing_currency": pa.array(np.full(n, "USD")),
        "pricing_public_on_demand_cost": pa.array(cost),
        "pricing_public_on_demand_rate": pa.array(rate.astype(str)),
        "pricing_purchase_option": pa.array(
            np.where(sp, "OnDemand", np.where(ri, "No Upfront", "OnDemand"))
        ),
        "pricing_rate_code": _dict_col(
            [f"SKU{k:04d}.JRTCKXETXF.6YS6EN2CT7" for k in range(len(tmpl_list))], tmpl
        ),
        "pricing_term": pa.array(np.where(ri, "Reserved", "OnDemand")),
        "pricing_unit": _dict_col([t.unit for t in tmpl_list], tmpl),
        "product": pc.take(pa.array([list(p.items()) for p in products], MAP_SS), pa.array(r)),
        "product_instance_type": _dict_col([t.instance_type or "" for t in tmpl_list], tmpl),
        "product_product_family": _dict_col([t.product_family for t in tmpl_list], tmpl),
        "product_region_code": pc.take(pa.array(res.region), pa.array(r)),
        "product_servicecode": _dict_col([t.product_code for t in tmpl_list], tmpl),
        "product_sku": _dict_col([f"SKU{k:04d}" for k in range(len(tmpl_list))], tmpl),
        "reservation_effective_cost": pa.array(ri_eff),
        "reservation_reservation_a_r_n": pa.array(np.where(ri, RI_ARN, "")),
        "reservation_unused_quantity": pa.array(np.zeros(n)),
        "reservation_unused_recurring_fee": pa.array(np.zeros(n)),
        "resource_tags": pc.take(
            pa.array([list(t.items()) for t in res.tags], MAP_SS), pa.array(r)
        ),
        "savings_plan_savings_plan_a_r_n": pa.array(np.where(sp, SP_ARN, "")),
        "savings_plan_savings_plan_effective_cost": pa.array(sp_eff),
        "savings_plan_savings_plan_rate": pa.array(
            np.where(sp, np.round(rate * (1 - SP_DISCOUNT), 6), 0.0)
        ),
        "savings_plan_total_commitment_to_date": pa.array(np.zeros(n)),
        "savings_plan_used_commitment": pa.array(np.zeros(n)),
    }
    usage = pa.table(base, schema=SCHEMA)
    parts = [usage]

    # SavingsPlanNegation: one per covered line, cancels its on-demand cost on the invoice
    if sp.any():
        neg = usage.filter(pa.array(sp))
        neg = neg.set_column(
            neg.schema.get_field_index("line_item_line_item_type"),
            "line_item_line_item_type",
            pa.array(np.full(neg.num_rows, "SavingsPlanNegation")),
        )
        for col in (
            "line_item_unblended_cost",
            "line_item_blended_cost",
            "line_item_net_unblended_cost",
        ):
            i = neg.schema.get_field_index(col)
            neg = neg.set_column(i, col, pc.negate(neg.column(col)))
        i = neg.schema.get_field_index("identity_line_item_id")
        neg = neg.set_column(
            i, "identity_line_item_id", pc.binary_join_element_wise(neg.column(i), "neg", "-")
        )
        i = neg.schema.get_field_index("savings_plan_savings_plan_effective_cost")
        neg = neg.set_column(
            i, "savings_plan_savings_plan_effective_cost", pa.array(np.zeros(neg.num_rows))
        )
        parts.append(neg)

    acc["sp_used"] = acc["sp_used"] + np.bincount(  # type: ignore[operator]
        d[sp] - day0, weights=sp_eff[sp], minlength=month.days
    )
    acc["ri_used"] = float(acc["ri_used"]) + float(ri_eff[ri].sum())  # type: ignore[arg-type]
    acc["has_sp"] = bool(acc["has_sp"]) or bool(sp.any())
    acc["has_ri"] = bool(acc["has_ri"]) or bool(ri.any())
    acc["unblended"] = float(acc["unblended"]) + float(unblended.sum())  # type: ignore[arg-type]
    acct = np.array(res.account)[r]
    codes = np.array([t.product_code for t in TEMPLATES])[tmpl]
    keys = np.char.add(np.char.add(acct.astype("U12"), "|"), codes.astype("U32"))
    uk, inv = np.unique(keys, return_inverse=True)
    totals: dict[str, float] = acc["totals"]  # type: ignore[assignment]
    for k, total in zip(uk, np.bincount(inv, weights=unblended - 0.0), strict=True):
        totals[str(k)] = totals.get(str(k), 0.0) + float(total)
    return parts


def _period_lines(
    org: Org,
    month: Month,
    day0: int,
    acc: dict[str, object],
    sp_commitment_per_day: float,
) -> pa.Table | None:
    """Period-level lines: Savings Plan and RI fees, tax, support, credits, refunds."""
    month_start, month_end = _ts(month.start), _ts(month.next_start)
    acct_names = {a.account_id: a.account_name for a in org.accounts_for("aws")}
    used: np.ndarray = acc["sp_used"]  # type: ignore[assignment]
    extra: list[dict[str, object]] = []

    def line(**kw: object) -> None:
        row: dict[str, object] = {
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": "AWS",
            "bill_billing_period_end_date": month_end.astype(dt.datetime),
            "bill_billing_period_start_date": month_start.astype(dt.datetime),
            "bill_invoicing_entity": "Amazon Web Services, Inc.",
            "bill_payer_account_id": PAYER_ACCOUNT,
            "bill_payer_account_name": PAYER_NAME,
            "cost_category": [],
            "discount": [],
            "line_item_currency_code": "USD",
            "line_item_legal_entity": "Amazon Web Services, Inc.",
            "line_item_usage_start_date": month_start.astype(dt.datetime),
            "line_item_usage_end_date": month_end.astype(dt.datetime),
            "pricing_currency": "USD",
            "product": [],
            "resource_tags": [],
            "line_item_resource_id": "",
        }
        row.update(kw)
        for c in ("line_item_unblended_cost",):
            row.setdefault("line_item_blended_cost", row[c])
            row.setdefault("line_item_net_unblended_cost", row[c])
        row["identity_line_item_id"] = f"{month.key}-x{len(extra)}"
        s = row["line_item_usage_start_date"]
        e = row["line_item_usage_end_date"]
        row["identity_time_interval"] = f"{s:%Y-%m-%dT%H:%M:%SZ}/{e:%Y-%m-%dT%H:%M:%SZ}"
        row["line_item_usage_account_name"] = acct_names.get(
            str(row["line_item_usage_account_id"]), PAYER_NAME
        )
        extra.append(row)

    # Savings Plan recurring fee: one line per day, commitment vs. used commitment
    if acc["has_sp"]:
        for k in range(month.days):
            day = month.start + dt.timedelta(days=k)
            commit = round(max(sp_commitment_per_day, used[k] * 1.01), 6)
            line(
                line_item_line_item_type="SavingsPlanRecurringFee",
                line_item_usage_account_id="445566778899",
                line_item_product_code="ComputeSavingsPlans",
                line_item_usage_type="ComputeSP:1yrNoUpfront",
                line_item_operation="",
                line_item_line_item_description="1 year No Upfront Compute Savings Plan",
                line_item_unblended_cost=commit,
                line_item_unblended_rate=str(commit),
                line_item_usage_amount=1.0,
                line_item_usage_start_date=dt.datetime.combine(day, dt.time()),
                line_item_usage_end_date=dt.datetime.combine(day + dt.timedelta(days=1), dt.time()),
                pricing_unit="Hrs",
                pricing_term="Savings Plan",
                pricing_purchase_option="No Upfront",
                pricing_public_on_demand_cost=commit,
                pricing_public_on_demand_rate=str(commit),
                pricing_rate_code="SPFEE.1YRNOUPFRONT",
                product_sku="SPFEE",
                product_servicecode="ComputeSavingsPlans",
                product_region_code="",
                savings_plan_savings_plan_a_r_n=SP_ARN,
                savings_plan_total_commitment_to_date=commit,
                savings_plan_used_commitment=round(float(used[k]), 8),
                product=[("product_name", "Savings Plans for AWS Compute usage")],
            )
    # RI fee: one monthly line per reservation; 8% of the fee goes unused
    if acc["has_ri"]:
        used_ri = float(acc["ri_used"])  # type: ignore[arg-type]
        fee = round(used_ri / 0.92, 6)
        line(
            line_item_line_item_type="RIFee",
            line_item_usage_account_id="334455667788",
            line_item_product_code="AmazonRDS",
            line_item_usage_type="HeavyUsage:db.r6g.large",
            line_item_operation="CreateDBInstance:0014",
            line_item_line_item_description="db.r6g.large reserved instance applied",
            line_item_unblended_cost=fee,
            line_item_unblended_rate=str(fee),
            line_item_usage_amount=float(month.days * 24),
            pricing_unit="Hrs",
            pricing_term="Reserved",
            pricing_purchase_option="No Upfront",
            pricing_public_on_demand_cost=fee,
            pricing_public_on_demand_rate=str(fee),
            pricing_rate_code="RIFEE.RDS.R6G",
            product_sku="RIFEE",
            product_servicecode="AmazonRDS",
            product_region_code="us-east-1",
            reservation_reservation_a_r_n=RI_ARN,
            reservation_unused_recurring_fee=round(fee - used_ri, 8),
            reservation_unused_quantity=round(month.days * 24 * 0.08, 4),
            product=[("product_name", "Amazon Relational Database Service")],
        )
    # Tax per (account, product): a share of that account's invoice for the product
    for k, total in sorted(acc["totals"].items()):  # type: ignore[attr-defined]
        a, code = str(k).split("|")
        amount = round(float(total) * TAX_RATE, 8)
        if amount <= 0:
            continue
        line(
            line_item_line_item_type="Tax",
            line_item_usage_account_id=a,
            line_item_product_code=code,
            line_item_tax_type="Sales Tax",
            line_item_line_item_description=f"Tax for product code {code}",
            line_item_unblended_cost=amount,
            line_item_usage_amount=1.0,
            product_servicecode=code,
        )
    # Business support fee, billed to the payer (shared cost)
    support = round(max(100.0, float(acc["unblended"]) * 0.07), 2)  # type: ignore[arg-type]
    line(
        line_item_line_item_type="Fee",
        line_item_usage_account_id=PAYER_ACCOUNT,
        line_item_product_code="AWSSupportBusiness",
        line_item_usage_type="Dollar",
        line_item_line_item_description="AWS Support (Business)",
        line_item_unblended_cost=support,
        line_item_unblended_rate=str(support),
        line_item_usage_amount=1.0,
        pricing_unit="Dollar",
        pricing_term="OnDemand",
        pricing_public_on_demand_cost=support,
        pricing_public_on_demand_rate=str(support),
        pricing_rate_code="SUPPORT.BUSINESS",
        product_sku="SUPPORT",
        product_servicecode="AWSSupportBusiness",
        product=[("product_name", "AWS Support (Business)")],
    )
    # Promotional credits on the dev account in the first three periods; one refund
    if day0 < 100:
        line(
            line_item_line_item_type="Credit",
            line_item_usage_account_id="210987654321",
            line_item_product_code="AmazonEC2",
            line_item_line_item_description="AWS Activate Credits",
            line_item_unblended_cost=-300.0,
            line_item_usage_amount=0.0,
            product_servicecode="AmazonEC2",
        )
    if 150 <= day0 < 181:
        line(
            line_item_line_item_type="Refund",
            line_item_usage_account_id="012345678901",
            line_item_product_code="AmazonS3",
            line_item_line_item_description="Refund for service event S3-2024-0417",
            line_item_unblended_cost=-125.4,
            line_item_usage_amount=0.0,
            product_servicecode="AmazonS3",
        )
    return pa.Table.from_pylist(extra, schema=SCHEMA) if extra else None


def month_tables(
    rng: np.random.Generator,
    org: Org,
    res: Resources,
    products: list[dict[str, str]],
    month: Month,
    day0: int,
    first_day: dt.date,
    anomalies: list[tuple[int, Anomaly]],
    sp_commitment_per_day: float,
    chunk_rows: int = 400_000,
) -> Iterator[pa.Table]:
    """All CUR 2.0 line items of one billing period, in chunks of about ``chunk_rows``
    (memory stays bounded whatever the size of the export)."""
    active = int(((res.start_day <= day0 + month.days - 1) & (res.end_day >= day0)).sum())
    step = max(1, chunk_rows // max(1, active))
    acc: dict[str, object] = {
        "sp_used": np.zeros(month.days),
        "ri_used": 0.0,
        "has_sp": False,
        "has_ri": False,
        "unblended": 0.0,
        "totals": {},
    }
    for lo in range(0, month.days, step):
        yield from _usage_chunk(
            rng,
            org,
            res,
            products,
            month,
            day0,
            first_day,
            anomalies,
            lo,
            min(month.days, lo + step),
            acc,
        )
    lines = _period_lines(org, month, day0, acc, sp_commitment_per_day)
    if lines is not None:
        yield lines


def write_month(
    out_dir: Path, month: Month, tables: Iterable[pa.Table], max_rows_per_file: int
) -> tuple[list[Path], int]:
    """Write one billing period as AWS delivers it (data files + Manifest.json), streaming the
    tables into numbered parts of at most ``max_rows_per_file`` rows. Returns (files, rows)."""
    data_dir = out_dir / EXPORT_NAME / "data" / f"BILLING_PERIOD={month.key}"
    meta_dir = out_dir / EXPORT_NAME / "metadata" / f"BILLING_PERIOD={month.key}"
    data_dir.mkdir(parents=True, exist_ok=True)
    meta_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    writer: pq.ParquetWriter | None = None
    in_file = rows = 0
    for table in tables:
        offset = 0
        while offset < table.num_rows:
            if writer is None or in_file >= max_rows_per_file:
                if writer is not None:
                    writer.close()
                files.append(data_dir / f"{EXPORT_NAME}-{len(files) + 1:05d}.snappy.parquet")
                writer = pq.ParquetWriter(files[-1], SCHEMA, compression="snappy")
                in_file = 0
            take = min(table.num_rows - offset, max_rows_per_file - in_file)
            writer.write_table(table.slice(offset, take))
            offset += take
            in_file += take
            rows += take
    if writer is not None:
        writer.close()
    manifest = {
        "executionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{EXPORT_NAME}/{month.key}")),
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{PAYER_ACCOUNT}:export/{EXPORT_NAME}",
        "exportName": EXPORT_NAME,
        "billingPeriod": {
            "start": f"{month.start}T00:00:00.000Z",
            "end": f"{month.next_start}T00:00:00.000Z",
        },
        "dataFiles": [
            f"s3://sibyl-billing/cur2/{EXPORT_NAME}/data/BILLING_PERIOD={month.key}/{p.name}"
            for p in files
        ],
        "columns": [{"name": f.name, "type": str(f.type)} for f in SCHEMA],
    }
    (meta_dir / f"{EXPORT_NAME}-Manifest.json").write_text(json.dumps(manifest, indent=1))
    return files, rows
