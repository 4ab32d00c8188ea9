"""Azure Cost Management exports (EA cost-details schema): actual and amortized CSVs.

Laid out as scheduled exports deliver them:
``<out>/<export-name>/<YYYYMMDD-YYYYMMDD>/<run-id>/part_0_0001.csv`` with a ``manifest.json``.
Actual cost has reservation and savings-plan purchases (monthly, recurring) and zero-cost
covered usage; amortized cost spreads the commitments over the usage and adds
UnusedReservation / UnusedSavingsPlan rows. UTF-8 with BOM, US ``MM/DD/YYYY`` dates, tags as
``"key": "value"`` pairs without braces — like the real files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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

BILLING_ACCOUNT = "87654321"
BILLING_ACCOUNT_NAME = "Sibyl Demo Enrollment"
COLUMNS = [
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "BillingProfileId",
    "BillingProfileName",
    "AccountOwnerId",
    "AccountName",
    "SubscriptionId",
    "SubscriptionName",
    "Date",
    "Product",
    "PartNumber",
    "MeterId",
    "ServiceFamily",
    "MeterCategory",
    "MeterSubCategory",
    "MeterRegion",
    "MeterName",
    "Quantity",
    "EffectivePrice",
    "Cost",
    "UnitPrice",
    "BillingCurrency",
    "ResourceLocation",
    "AvailabilityZone",
    "ConsumedService",
    "ResourceId",
    "ResourceName",
    "ServiceInfo1",
    "ServiceInfo2",
    "AdditionalInfo",
    "Tags",
    "InvoiceSectionId",
    "InvoiceSection",
    "CostCenter",
    "UnitOfMeasure",
    "ResourceGroup",
    "ReservationId",
    "ReservationName",
    "ProductOrderId",
    "ProductOrderName",
    "OfferId",
    "IsAzureCreditEligible",
    "Term",
    "PublisherName",
    "PlanName",
    "ChargeType",
    "Frequency",
    "PublisherType",
    "PayGPrice",
    "PricingModel",
    "CostAllocationRuleName",
    "benefitId",
    "benefitName",
]
TEAM_SUBS = {
    "crm": ["6b1f0e3a-7c55-4d4e-9a55-0c3f1d2e4a01"],
    "billing-platform": ["6b1f0e3a-7c55-4d4e-9a55-0c3f1d2e4a01"],
    "reporting": ["6b1f0e3a-7c55-4d4e-9a55-0c3f1d2e4a01"],
    "integrations": [
        "8d2e4f6a-1b3c-4d5e-8f70-9a1b2c3d4e02",
        "6b1f0e3a-7c55-4d4e-9a55-0c3f1d2e4a01",
    ],
    "corp-it": ["2c4e6a8b-0d1f-4a3c-b5e7-f9a1b3c5d703"],
    "identity": ["2c4e6a8b-0d1f-4a3c-b5e7-f9a1b3c5d703"],
    "networking": ["a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c04"],
    "security": ["a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c04"],
}
SHARED_SUB = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c04"
RES_ORDER = "7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
SP_ORDER = "9c8b7a6f-5e4d-4c3b-2a1f-0e9d8c7b6a5f"
REGIONS = [("eastus", "US East"), ("westeurope", "EU West"), ("eastus2", "US East 2")]


@dataclass(frozen=True)
class Template:
    category: str
    subcategory: str
    meter: str
    product: str
    consumed: str
    rtype: str  # ARM provider/type segment
    unit: str
    price: float
    qty_range: tuple[float, float]
    hourly: bool = False
    weekly: bool = False
    family: str = "Compute"


TEMPLATES = [
    Template(
        "Virtual Machines",
        "Dv5 Series",
        "D4s v5",
        "Virtual Machines Dv5 Series - D4s v5",
        "Microsoft.Compute",
        "Microsoft.Compute/virtualMachines",
        "1 Hour",
        0.192,
        (1, 1),
        True,
    ),
    Template(
        "Virtual Machines",
        "Ev5 Series",
        "E8s v5",
        "Virtual Machines Ev5 Series - E8s v5",
        "Microsoft.Compute",
        "Microsoft.Compute/virtualMachines",
        "1 Hour",
        0.504,
        (1, 1),
        True,
    ),
    Template(
        "Storage",
        "Premium SSD Managed Disks",
        "P30 LRS Disk",
        "Premium SSD Managed Disks - P30 - LRS",
        "Microsoft.Compute",
        "Microsoft.Compute/disks",
        "1/Month",
        135.17,
        (1, 1),
        family="Storage",
    ),
    Template(
        "Storage",
        "Tiered Block Blob",
        "Hot LRS Data Stored",
        "Blob Storage - Hot - LRS",
        "Microsoft.Storage",
        "Microsoft.Storage/storageAccounts",
        "1 GB/Month",
        0.0184,
        (200, 20000),
        family="Storage",
    ),
    Template(
        "SQL Database",
        "General Purpose - Compute Gen5",
        "vCore",
        "SQL Database Single General Purpose - Compute Gen5",
        "Microsoft.Sql",
        "Microsoft.Sql/servers/databases",
        "1 Hour",
        0.5044,
        (2, 8),
        True,
        family="Databases",
    ),
    Template(
        "Azure App Service",
        "Premium v3 Plan",
        "P1 v3 App",
        "Azure App Service Premium v3 Plan - P1 v3",
        "Microsoft.Web",
        "Microsoft.Web/serverFarms",
        "1 Hour",
        0.25,
        (1, 3),
        True,
        family="Compute",
    ),
    Template(
        "Log Analytics",
        "Analytics Logs",
        "Analytics Logs Data Ingestion",
        "Log Analytics - Analytics Logs",
        "Microsoft.OperationalInsights",
        "Microsoft.OperationalInsights/workspaces",
        "1 GB",
        2.30,
        (1, 40),
        weekly=True,
        family="Management and Governance",
    ),
    Template(
        "Bandwidth",
        "Inter-Region",
        "Inter-Region Data Transfer Out",
        "Bandwidth - Inter-Region",
        "Microsoft.Network",
        "Microsoft.Network/virtualNetworks",
        "1 GB",
        0.02,
        (10, 800),
        weekly=True,
        family="Networking",
    ),
    Template(
        "Virtual Network",
        "Peering",
        "Intra-Region Ingress",
        "Virtual Network Peering - Intra-Region",
        "Microsoft.Network",
        "Microsoft.Network/virtualNetworks",
        "1 GB",
        0.01,
        (100, 3000),
        family="Networking",
    ),
    Template(
        "Cognitive Services",
        "Azure OpenAI",
        "gpt-4o-input-tokens",
        "Azure OpenAI - GPT-4o Input",
        "Microsoft.CognitiveServices",
        "Microsoft.CognitiveServices/accounts",
        "1K",
        0.0025,
        (5000, 200000),
        weekly=True,
        family="AI + Machine Learning",
    ),
]
HOURLY = np.array([t.hourly for t in TEMPLATES])
RI_DISCOUNT = 0.38
SP_DISCOUNT = 0.22


def build_resources(rng: np.random.Generator, org: Org, n: int, total_days: int) -> Resources:
    teams = list(TEAM_SUBS)
    team_of = [teams[i] for i in rng.integers(len(teams), size=n)]
    tmpl = rng.integers(len(TEMPLATES), size=n)
    # always one reserved VM (Enterprise-Prod) and one savings-plan VM, whatever the scale
    team_of[0], tmpl[0] = "crm", 0
    team_of[1], tmpl[1] = "corp-it", 1
    env_of = {a.account_id: a.environment for a in org.accounts_for("azure")}
    hexes = hex_ids(rng, n, 8)
    ids, names, subs, regions, tags = [], [], [], [], []
    for i in range(n):
        t = TEMPLATES[tmpl[i]]
        team = team_of[i]
        opts = TEAM_SUBS[team]
        sub = opts[0] if rng.random() < 0.85 else opts[rng.integers(len(opts))]
        region = REGIONS[rng.integers(len(REGIONS))][0]
        name = f"{team}-{t.meter.split()[0].lower()}-{hexes[i][:5]}"
        rg = f"rg-{team}-{env_of[sub]}"
        ids.append(f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{t.rtype}/{name}")
        names.append(name)
        subs.append(sub)
        regions.append(region)
        tg = messy_tags(
            rng,
            org,
            team,
            env_of[sub],
            ["Team", "team", "owner-team", "user:team", "OwnerTeam"],
            ["Environment", "env", "Env"],
            ["CostCenter", "cost-center"],
        )
        tags.append(tg)
    lo = np.array([TEMPLATES[k].qty_range[0] for k in tmpl])
    hi = np.array([TEMPLATES[k].qty_range[1] for k in tmpl])
    start, end = lifecycle(rng, n, total_days)
    res = Resources(
        ids=ids,
        names=names,
        team=team_of,
        account=subs,
        region=regions,
        template=tmpl,
        base_qty=np.exp(rng.uniform(np.log(lo), np.log(np.maximum(hi, lo * 1.0001)))),
        start_day=start,
        end_day=end,
        weekly=np.array([TEMPLATES[k].weekly for k in tmpl]),
        growth=rng.normal(0.1, 0.2, size=n),
        tags=tags,
    )
    cat = np.array([TEMPLATES[k].meter for k in tmpl])
    sub_arr = np.array(subs)
    res.flags["ri"] = (cat == "D4s v5") & (sub_arr == "6b1f0e3a-7c55-4d4e-9a55-0c3f1d2e4a01")
    res.flags["sp"] = (cat == "E8s v5") & ~res.flags["ri"]
    both = res.flags["ri"] | res.flags["sp"]
    res.start_day = np.where(both, 0, res.start_day)
    res.end_day = np.where(both, total_days - 1, res.end_day)
    return res


def _num(x: float) -> str:
    return repr(round(float(x), 10))


def _tags(tags: dict[str, str]) -> str:
    return ",".join(f'"{k}": "{v}"' for k, v in tags.items())


def month_rows(
    rng: np.random.Generator,
    org: Org,
    res: Resources,
    month: Month,
    day0: int,
    first_day: dt.date,
    anomalies: list[tuple[int, Anomaly]],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(actual rows, amortized rows) of one billing period."""
    r, d = active_pairs(res, day0, month.days)
    weekday, t_years = day_factors(first_day, day0 + month.days)
    qty = usage_quantities(rng, r, d, weekday, t_years, res, HOURLY)
    day_dates = np.datetime64(first_day) + d.astype("timedelta64[D]")
    qty = apply_anomalies(qty, r, day_dates, anomalies)
    tmpl = res.template[r]
    monthly = np.array([t.unit == "1/Month" for t in TEMPLATES])[tmpl]
    qty = np.where(monthly, 1.0 / month.days_in_month, np.round(qty, 6))
    price = np.array([t.price for t in TEMPLATES])[tmpl]
    paygo = np.round(qty * price, 10)
    ri = res.flags["ri"][r]
    sp = res.flags["sp"][r]
    sub_name = {a.account_id: a.account_name for a in org.accounts_for("azure")}
    bp_start = month.start.strftime("%m/%d/%Y")
    bp_end = (month.next_start - dt.timedelta(days=1)).strftime("%m/%d/%Y")
    res_id = (
        f"/providers/Microsoft.Capacity/reservationOrders/{RES_ORDER}/reservations/{RES_ORDER[:8]}"
    )
    sp_id = f"/providers/Microsoft.BillingBenefits/savingsPlanOrders/{SP_ORDER}/savingsPlans/{SP_ORDER[:8]}"

    def base(sub: str, date: dt.date) -> dict[str, str]:
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            BillingAccountId=BILLING_ACCOUNT,
            BillingAccountName=BILLING_ACCOUNT_NAME,
            BillingPeriodStartDate=bp_start,
            BillingPeriodEndDate=bp_end,
            BillingProfileId=BILLING_ACCOUNT,
            BillingProfileName=BILLING_ACCOUNT_NAME,
            AccountOwnerId="finops@example.com",
            AccountName="Sibyl Cloud Team",
            SubscriptionId=sub,
            SubscriptionName=sub_name[sub],
            Date=date.strftime("%m/%d/%Y"),
            BillingCurrency="USD",
            OfferId="MS-AZR-0017P",
            IsAzureCreditEligible="True",
            PublisherName="Microsoft",
            PublisherType="Azure",
            InvoiceSection="Sibyl",
        )
        return row

    actual: list[dict[str, str]] = []
    amortized: list[dict[str, str]] = []
    region_name = dict(REGIONS)
    for i in range(r.shape[0]):
        ri_ = int(r[i])
        t = TEMPLATES[tmpl[i]]
        day = first_day + dt.timedelta(days=int(d[i]))
        row = base(res.account[ri_], day)
        region = res.region[ri_]
        row.update(
            Product=t.product,
            PartNumber=f"AAA-{tmpl[i]:03d}{[x for x, _ in REGIONS].index(region):02d}",
            MeterId=str(uuid.uuid5(uuid.NAMESPACE_OID, t.product + region)),
            ServiceFamily=t.family,
            MeterCategory=t.category,
            MeterSubCategory=t.subcategory,
            MeterRegion=region_name[region],
            MeterName=t.meter,
            Quantity=_num(qty[i]),
            UnitPrice=_num(price[i]),
            PayGPrice=_num(price[i]),
            ResourceLocation=region,
            ConsumedService=t.consumed,
            ResourceId=res.ids[ri_],
            ResourceName=res.names[ri_],
            Tags=_tags(res.tags[ri_]),
            UnitOfMeasure=t.unit,
            ResourceGroup=res.ids[ri_].split("/")[4],
            ChargeType="Usage",
            Frequency="UsageBased",
            PricingModel="OnDemand",
        )
        if ri[i] or sp[i]:
            eff_price = price[i] * (1 - (RI_DISCOUNT if ri[i] else SP_DISCOUNT))
            eff = round(float(qty[i] * eff_price), 10)
            commit = (
                dict(
                    ReservationId=RES_ORDER,
                    ReservationName="vm-d4sv5-ri",
                    PricingModel="Reservation",
                    benefitId=res_id,
                    benefitName="vm-d4sv5-ri",
                    ProductOrderId=RES_ORDER,
                    ProductOrderName="Reserved VM Instance, Standard_D4s_v5, US East, 1 Year",
                    Term="12",
                )
                if ri[i]
                else dict(
                    PricingModel="SavingsPlan",
                    benefitId=sp_id,
                    benefitName="compute-sp-1y",
                    ProductOrderId=SP_ORDER,
                    ProductOrderName="Compute Savings Plan, 1 Year",
                    Term="12",
                )
            )
            a = dict(row, **commit, EffectivePrice="0", Cost="0")
            m = dict(row, **commit, EffectivePrice=_num(eff_price), Cost=_num(eff))
            actual.append(a)
            amortized.append(m)
        else:
            row.update(EffectivePrice=_num(price[i]), Cost=_num(paygo[i]))
            actual.append(row)
            amortized.append(dict(row))

    # commitments: monthly recurring purchase (actual) and daily unused (amortized)
    for flag, disc, kind in ((ri, RI_DISCOUNT, "Reservation"), (sp, SP_DISCOUNT, "SavingsPlan")):
        if not flag.any():
            continue
        used_by_day = np.bincount(
            d[flag] - day0, weights=(qty * price * (1 - disc))[flag], minlength=month.days
        )
        daily_commit = round(float(used_by_day.max()) * 1.06, 6)
        fee = round(daily_commit * month.days, 6)
        is_ri = kind == "Reservation"
        order = RES_ORDER if is_ri else SP_ORDER
        bid = res_id if is_ri else sp_id
        name = "vm-d4sv5-ri" if is_ri else "compute-sp-1y"
        purchase = base(SHARED_SUB, month.start)
        purchase.update(
            Product="Reserved VM Instance, Standard_D4s_v5, US East, 1 Year"
            if is_ri
            else "Compute Savings Plan, 1 Year",
            MeterCategory="Virtual Machines" if is_ri else "Savings Plan",
            ServiceFamily="Compute",
            Quantity="1",
            EffectivePrice=_num(fee),
            Cost=_num(fee),
            UnitPrice=_num(fee),
            PayGPrice="0",
            ConsumedService="Microsoft.Capacity" if is_ri else "Microsoft.BillingBenefits",
            ResourceId=bid,
            UnitOfMeasure="1 Hour",
            ReservationId=order if is_ri else "",
            ReservationName=name if is_ri else "",
            ProductOrderId=order,
            ProductOrderName=name,
            Term="12",
            ChargeType="Purchase",
            Frequency="Recurring",
            PricingModel=kind,
            benefitId=bid,
            benefitName=name,
        )
        actual.append(purchase)
        for k in range(month.days):
            unused = round(daily_commit - float(used_by_day[k]), 10)
            if unused <= 0:
                continue
            row = base(SHARED_SUB, month.start + dt.timedelta(days=k))
            row.update(
                Product=purchase["Product"],
                MeterCategory=purchase["MeterCategory"],
                ServiceFamily="Compute",
                Quantity=_num(unused / daily_commit * 24),
                EffectivePrice=_num(daily_commit / 24),
                Cost=_num(unused),
                UnitPrice=_num(daily_commit / 24),
                PayGPrice="0",
                ConsumedService=purchase["ConsumedService"],
                ResourceId=bid,
                UnitOfMeasure="1 Hour",
                ReservationId=purchase["ReservationId"],
                ReservationName=purchase["ReservationName"],
                ProductOrderId=order,
                ProductOrderName=name,
                Term="12",
                ChargeType="UnusedReservation" if is_ri else "UnusedSavingsPlan",
                Frequency="UsageBased",
                PricingModel=kind,
                benefitId=bid,
                benefitName=name,
            )
            amortized.append(row)
    return actual, amortized


def write_month(
    out_dir: Path, export: str, dataset_type: str, month: Month, rows: list[dict[str, str]]
) -> Path:
    """Write one export run (CSV with BOM + manifest.json) and return the CSV path."""
    rng_name = f"{month.start:%Y%m%d}-{month.next_start - dt.timedelta(days=1):%Y%m%d}"
    run_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{export}/{rng_name}"))
    folder = out_dir / export / rng_name / run_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "part_0_0001.csv"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    manifest = {
        "manifestVersion": "2024-04-01",
        "byteCount": path.stat().st_size,
        "blobCount": 1,
        "dataRowCount": len(rows),
        "exportConfig": {
            "exportName": export,
            "resourceId": f"/providers/Microsoft.Billing/billingAccounts/{BILLING_ACCOUNT}/providers/Microsoft.CostManagement/exports/{export}",
            "dataVersion": "2021-10-01",
            "apiVersion": "2023-07-01-preview",
            "type": dataset_type,
            "timeFrame": "MonthToDate",
            "granularity": "Daily",
        },
        "runInfo": {
            "executionType": "Scheduled",
            "runId": run_id,
            "startDate": f"{month.start}T00:00:00",
            "endDate": f"{month.start + dt.timedelta(days=month.days - 1)}T00:00:00",
        },
        "blobs": [
            {"blobName": path.name, "byteCount": path.stat().st_size, "dataRowCount": len(rows)}
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return path
