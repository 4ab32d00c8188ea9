"""The run report: what happened to every landing file and every lake partition of one run.

Written as JSON to ``<lake>/_state/runs/<run_id>.json``; dbt's ``fct_ingest_files`` reads these.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class FileResult:
    """What happened to one landing file."""

    rel: str
    status: str  # loaded | quarantined | superseded | skipped
    provider: str | None = None  # aws | gcp | azure | oci; for FOCUS files the providers in it
    source: str | None = None  # aws | gcp | azure | oci | focus
    variant: str | None = None
    dataset: str | None = None
    dataset_type: str | None = None
    periods: list[str] = field(default_factory=list)
    rows: int = 0
    billed_total: str = "0"
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    quarantine_path: str | None = None
    totals: list[ControlTotal] = field(default_factory=list)  # per period/provider/account/currency
    default_currency: str | None = None  # the file's only currency (for rows without one)


@dataclass
class ControlTotal:
    """Billed cost as exported for one provider x billing account x period x currency."""

    provider: str
    billing_account_id: str
    billing_period: str
    currency: str
    rows: int
    billed_total: str


@dataclass
class PartitionResult:
    """One lake file written: an export dataset's rows for one billing period."""

    source: str
    billing_period: str
    variant: str
    dataset: str
    dataset_type: str
    lake_path: str
    rows: int
    billed_total: str
    currencies: list[str]
    source_files: list[str]
    totals: list[ControlTotal] = field(default_factory=list)

    @property
    def provider(self) -> str:
        return self.source


@dataclass
class IngestReport:
    run_id: str
    landing_root: str
    lake_root: str
    started_at: str
    finished_at: str = ""
    files: list[FileResult] = field(default_factory=list)
    partitions: list[PartitionResult] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # lake partitions whose files are gone
    pruned: list[str] = field(default_factory=list)  # orphans removed by --prune

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def quarantined(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "quarantined"]

    def billed_by_provider_period(self) -> dict[tuple[str, str], Decimal]:
        """Billed total per (provider, period), summed over currencies (tests, summaries)."""
        out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for p in self.partitions:
            for t in p.totals:
                out[(t.provider, t.billing_period)] += Decimal(t.billed_total)
        return dict(out)

    def billed_by_currency(self) -> dict[tuple[str, str, str], Decimal]:
        """Billed total per (provider, period, currency)."""
        out: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for p in self.partitions:
            for t in p.totals:
                out[(t.provider, t.billing_period, t.currency)] += Decimal(t.billed_total)
        return dict(out)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        rows = sum(p.rows for p in self.partitions)
        text = (
            f"{self.count('loaded')} file(s) loaded, {self.count('quarantined')} quarantined, "
            f"{self.count('superseded')} superseded, {self.count('skipped')} skipped; "
            f"{len(self.partitions)} lake partition file(s), {rows:,} rows"
        )
        if self.orphans:
            text += f"; {len(self.orphans)} orphaned lake partition(s)"
        if self.pruned:
            text += f" ({len(self.pruned)} pruned)"
        return text
