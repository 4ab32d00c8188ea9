"""An independent reader of real billing exports: what the invoice says, per file, in Decimal.

Written without any Sibyl code (plain csv / gzip / ast / datetime) so tests can check ingest and
the marts against it. For each export kind it knows the billed-cost column, the billing period and
the currency as the providers document them:

- AWS legacy CUR: ``lineItem/UnblendedCost`` by ``bill/BillingPeriodStartDate``;
  Athena names: ``line_item_unblended_cost`` by ``bill_billing_period_start_date``.
- Azure cost details (any generation): ``CostInBillingCurrency`` / ``Cost`` / ``PreTaxCost``, minus
  commitment-covered usage and unused commitment rows (amortized rows not on the invoice), by
  ``BillingPeriodStartDate`` or else the charge date's month.
- GCP flattened: ``cost`` plus every ``credits[].amount`` by ``invoice.month``.
- OCI cost report: ``cost/myCost`` by ``lineItem/intervalUsageStart``'s month.
- FOCUS: ``BilledCost`` by ``BillingPeriodStart``'s month and ``BillingCurrency``.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import gzip
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

Totals = dict[tuple[str, str], Decimal]  # (YYYY-MM, currency) -> billed


def rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out = []
        for r in reader:
            if not any(v.strip() for v in r):  # blank lines (the FOCUS samples have CRLF ones)
                continue
            r = r + [""] * (len(header) - len(r))
            out.append(dict(zip(header, r, strict=False)))
    return header, out


def col(header: list[str], *names: str) -> str | None:
    lower = {h.lower(): h for h in header}
    for n in names:
        if n in header:
            return n
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def month(text: str) -> str:
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text)
    if m:
        year = int(m.group(3))
        return f"{year + 2000 if year < 100 else year:04d}-{int(m.group(1)):02d}"
    m = re.match(r"(\d{4})-?(\d{2})", text)
    if not m:
        raise ValueError(f"not a date: {text!r}")
    return f"{m.group(1)}-{m.group(2)}"


def money(text: str) -> Decimal:
    return Decimal(text.strip() or "0")


def kind(header: list[str]) -> str:
    h = {c.lower() for c in header}
    if "billedcost" in h and "chargeperiodstart" in h:
        return "focus"
    if "lineitem/unblendedcost" in h:
        return "aws_legacy"
    if "line_item_unblended_cost" in h:
        return "aws_athena"
    if "cost/mycost" in h:
        return "oci"
    if "invoice.month" in h:
        return "gcp_flat"
    if h & {"costinbillingcurrency", "cost", "pretaxcost"}:
        return "azure"
    raise ValueError("unknown export")


def billed_totals(path: Path) -> Totals:
    """Billed cost per (billing period, currency) of one export file."""
    header, data = rows(path)
    out: Totals = defaultdict(Decimal)
    k = kind(header)
    for r in data:
        if k == "aws_legacy":
            key = (month(r["bill/BillingPeriodStartDate"]), r.get("lineItem/CurrencyCode") or "USD")
            out[key] += money(r["lineItem/UnblendedCost"])
        elif k == "aws_athena":
            key = (
                month(r["bill_billing_period_start_date"]),
                r.get("line_item_currency_code") or "USD",
            )
            out[key] += money(r["line_item_unblended_cost"])
        elif k == "gcp_flat":
            credits = ast.literal_eval(r["credits"]) if r.get("credits", "").strip() else []
            amount = money(r["cost"]) + sum(
                (Decimal(str(c["amount"])) for c in credits), Decimal(0)
            )
            out[(month(r["invoice.month"]), r["currency"])] += amount
        elif k == "oci":
            out[(month(r["lineItem/intervalUsageStart"]), r["cost/currencyCode"].upper())] += money(
                r["cost/myCost"]
            )
        elif k == "focus":
            c = col(header, "BillingCurrency")
            out[(month(r[col(header, "BillingPeriodStart")]), r[c] if c else "")] += money(
                r[col(header, "BilledCost")]
            )
        else:
            cost = col(header, "CostInBillingCurrency", "Cost", "PreTaxCost")
            cur = col(header, "BillingCurrencyCode", "BillingCurrency", "Currency")
            start = col(header, "BillingPeriodStartDate")
            date = col(header, "Date", "UsageDateTime", "UsageDate")
            ctype = col(header, "ChargeType")
            pmodel = col(header, "PricingModel")
            t = r.get(ctype, "") if ctype else ""
            p = r.get(pmodel, "") if pmodel else ""
            if t in ("UnusedReservation", "UnusedSavingsPlan") or (
                t == "Usage" and p in ("Reservation", "SavingsPlan")
            ):
                continue
            period = month(r[start]) if start and r[start].strip() else month(r[date])
            out[(period, r[cur] if cur else "")] += money(r[cost])
    return _fill_blank_currency(dict(out))


def _fill_blank_currency(totals: Totals) -> Totals:
    """Rows without a currency belong to the file's only currency (OCI free-tier lines)."""
    named = {c for _, c in totals if c}
    if len(named) != 1:
        return totals
    only = named.pop()
    out: Totals = defaultdict(Decimal)
    for (p, c), v in totals.items():
        out[(p, c or only)] += v
    return dict(out)


def is_number(text: str) -> bool:
    try:
        Decimal(text.strip() or "0")
    except InvalidOperation:
        return False
    return True


def parse_day(text: str) -> dt.date:
    return dt.date.fromisoformat(month(text) + "-01")


def focus_totals_by_provider(path: Path) -> dict[tuple[str, str, str], Decimal]:
    """FOCUS billed cost per (provider, period, currency); the provider is ProviderName as a slug
    ("ACME Co" -> acme_co; blank -> unknown), the documented rule for providers outside the
    registry."""
    header, data = rows(path)
    name = col(header, "ServiceProviderName", "ProviderName")
    cur = col(header, "BillingCurrency")
    out: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for r in data:
        raw = (r.get(name, "") if name else "").strip().lower()
        slug = re.sub(r"[^a-z0-9]+", "_", raw).strip("_") or "unknown"
        # a FOCUS file without BillingCurrency (the spec's commitment examples) is read as USD,
        # the documented default (docs/exports.md)
        key = (slug, month(r[col(header, "BillingPeriodStart")]), (r[cur] if cur else "") or "USD")
        out[key] += money(r[col(header, "BilledCost")])
    return dict(out)
