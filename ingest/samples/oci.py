"""OCI cost reports (reports/cost-csv/*.csv.gz) in the real report's columns, one file per day.

Deterministic from the seed; costs are Decimal-exact strings (10 decimals).
Compartments are the sample org's teams, so attribution by account owner can be shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import numpy as np

from ingest.samples.common import Month

COLUMNS = [
    "lineItem/referenceNo",
    "lineItem/tenantId",
    "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd",
    "product/service",
    "product/compartmentId",
    "product/compartmentName",
    "product/region",
    "product/availabilityDomain",
    "product/resourceId",
    "usage/billedQuantity",
    "usage/billedQuantityOverage",
    "cost/subscriptionId",
    "cost/productSku",
    "product/Description",
    "cost/unitPrice",
    "cost/unitPriceOverage",
    "cost/myCost",
    "cost/myCostOverage",
    "cost/currencyCode",
    "cost/billingUnitReadable",
    "cost/skuUnitDescription",
    "cost/overageFlag",
    "lineItem/isCorrection",
    "lineItem/backreferenceNo",
    "tags/Oracle-Tags.CreatedBy",
    "tags/team",
]
TENANT = "ocid1.tenancy.oc1..aaaaaaaasibyldemo"
# service, sku, description, unit price per hour (list), unit
SKUS = (
    ("COMPUTE", "B93113", "Compute - Standard - E4 - OCPU", Decimal("0.025"), "OCPU Per Hour"),
    ("BLOCK_STORAGE", "B91961", "Block Volume - Storage", Decimal("0.0000354"), "GB Months"),
    ("OBJECTSTORE", "B91628", "Object Storage - Storage", Decimal("0.0000347"), "GB Months"),
    ("DATABASE", "B90570", "Autonomous Database - OCPU", Decimal("1.3441"), "OCPU Per Hour"),
)


def write_cost_reports(
    out_dir: Path, months: list[Month], seed: int, teams: list[str]
) -> tuple[int, int]:
    """Write daily cost reports under ``out_dir/oci/reports/cost-csv``; (rows, files)."""
    rng = np.random.default_rng([seed, 4])
    folder = out_dir / "oci" / "reports" / "cost-csv"
    folder.mkdir(parents=True, exist_ok=True)
    resources = [
        (SKUS[i % len(SKUS)], teams[i % len(teams)], f"ocid1.instance.oc1.eu-frankfurt-1.r{i:04d}")
        for i in range(12)
    ]
    rows = files = 0
    ref = 0
    for m in months:
        for d in range(m.days):
            day = m.start + dt.timedelta(days=d)
            name = folder / f"{10000000000 + int(day.strftime('%Y%m%d'))}.csv.gz"
            with gzip.open(name, "wt", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(COLUMNS)
                for (service, sku, desc, price, unit), team, rid in resources:
                    qty = Decimal(str(round(float(rng.uniform(1, 24)), 6)))
                    cost = (qty * price).quantize(
                        Decimal("0.0000000001")
                    )  # the lake keeps 10 decimals
                    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
                    ref += 1
                    w.writerow(
                        [f"sibyl-{ref:09d}", TENANT, start.strftime("%Y-%m-%dT%H:%MZ"),
                         (start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%MZ"),
                         service, f"ocid1.compartment.oc1..{team}", team, "eu-frankfurt-1",
                         "", rid, str(qty), "", "15649487", sku, desc, str(price), "",
                         str(cost), "", "EUR", unit, unit, "", "false", "", "sibyl", team]
                    )  # fmt: skip
                    rows += 1
            files += 1
    return rows, files
