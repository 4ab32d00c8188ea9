"""Delivery layouts and manifests: which landing files are data, which delivery is current,
and what billing period and dataset a path names.

Layouts recognised (see docs/exports.md):

- AWS Data Exports (CUR 2.0, FOCUS 1.0/1.2 with AWS columns):
  ``<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/*`` + ``<export>/metadata/BILLING_PERIOD=YYYY-MM/*Manifest.json``
- AWS legacy CUR: ``<report>/<YYYYMMDD-YYYYMMDD>/[<assemblyId>/]*`` + ``<report>-Manifest.json``
- Azure Cost Management exports (cost details and ``FocusCost``):
  ``<container>/<path>/<YYYYMMDD-YYYYMMDD>/<run>/*`` + ``manifest.json``
- GCP files written from BigQuery: ``invoice_month=YYYYMM/`` or a flat folder
- OCI: ``reports/cost-csv/*.csv.gz`` and ``FOCUS Reports/YYYY/MM/DD/*.csv.gz``
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ingest import fs as lakefs
from ingest.providers import AI_LANDING_FOLDER

log = logging.getLogger(__name__)

_PERIOD_MARKERS = (
    (re.compile(r"^BILLING_PERIOD=(\d{4})-(\d{2})$", re.I), "{0}-{1}"),
    (re.compile(r"^billing_period=(\d{4})-(\d{2})$", re.I), "{0}-{1}"),
    (re.compile(r"^invoice_month=(\d{4})(\d{2})$", re.I), "{0}-{1}"),
    (re.compile(r"^(\d{4})(\d{2})01-\d{8}$"), "{0}-{1}"),
)
# OCI FOCUS reports: "FOCUS Reports/2025/03/14/<file>.csv.gz"
_OCI_FOCUS = re.compile(r"(?:^|/)(FOCUS Reports)/(\d{4})/(\d{2})/\d{2}/[^/]+$", re.I)
# OCI cost/usage reports: "reports/cost-csv/<n>.csv.gz", one incremental file each, one dataset
_OCI_REPORTS = re.compile(r"(?:^|/)reports/(cost-csv|usage-csv)/[^/]+$", re.I)
DATA_SUFFIXES = (
    ".parquet",
    ".csv",
    ".csv.gz",
    ".json",
    ".json.gz",
    ".jsonl",
    ".jsonl.gz",
    ".ndjson",
    ".ndjson.gz",
)
_MAX_MANIFEST_BYTES = 64 << 20


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()[:120] or "file"


def path_period_and_dataset(rel: str) -> tuple[str | None, str]:
    """Billing period and dataset (export name) from a delivery path, when the layout says so."""
    oci = _OCI_FOCUS.search(rel)
    if oci:
        return f"{oci.group(2)}-{oci.group(3)}", slug(oci.group(1))
    oci_report = _OCI_REPORTS.search(rel)
    if oci_report:
        return None, slug(f"oci-{oci_report.group(1)}")
    parts = rel.split("/")
    for i, seg in enumerate(parts[:-1]):
        for rx, fmt in _PERIOD_MARKERS:
            m = rx.match(seg)
            if m:
                before = [p for p in parts[:i] if p.lower() != "data"]
                dataset = before[-1] if before else slug(rel.rsplit(".", 1)[0])
                return fmt.format(*m.groups()), slug(dataset)
    stem = rel
    for suf in DATA_SUFFIXES:
        if stem.lower().endswith(suf):
            stem = stem[: -len(suf)]
    return None, slug(stem)


def is_data_file(rel: str) -> bool:
    return rel.lower().endswith(DATA_SUFFIXES)


def skip_reason(rel: str) -> str | None:
    segs = rel.split("/")
    if any(s.startswith((".", "_")) for s in segs):
        return "hidden or metadata path (segments starting with '.' or '_')"
    if len(segs) > 1 and segs[0] == AI_LANDING_FOLDER:
        return "AI API usage: read by the AI ingest (ingest/ai), not as a billing export"
    name = segs[-1].lower()
    if name.endswith("manifest.json"):
        return "export manifest (used to pick the current delivery)"
    return None


@dataclass
class Deliveries:
    """What the export manifests say is current."""

    current_names: dict[str, set[str]] = field(default_factory=dict)  # folder -> file names
    current_folder: dict[str, str] = field(default_factory=dict)  # parent -> current subfolder
    azure_type: dict[str, str] = field(default_factory=dict)  # run folder -> actual/amortized

    def superseded(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        parent = folder.rpartition("/")[0]
        if folder in self.current_names:
            return name not in self.current_names[folder]
        if parent in self.current_folder:
            # legacy CUR assemblies / Azure export runs: only the current subfolder counts
            return self.current_folder[parent] != folder
        return False


def read_manifests(fs: Any, files: list[lakefs.RemoteFile]) -> Deliveries:
    """Read AWS (Data Exports and legacy CUR) and Azure export manifests."""
    d = Deliveries()
    azure_runs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in files:
        folder, _, name = f.rel.rpartition("/")
        if not name.lower().endswith("manifest.json") or f.link:
            continue
        if f.size > _MAX_MANIFEST_BYTES:
            log.warning("manifest %s is larger than %d bytes: ignored", f.rel, _MAX_MANIFEST_BYTES)
            continue
        try:
            with fs.open(f.path, "r", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as exc:
            log.warning("unreadable manifest %s: %s", f.rel, type(exc).__name__)
            continue
        if not isinstance(doc, dict):
            continue
        if "dataFiles" in doc:  # Data Exports: <export>/metadata/<partition>/
            data_folder = folder.replace("/metadata/", "/data/", 1)
            d.current_names[data_folder] = {str(p).rsplit("/", 1)[-1] for p in doc["dataFiles"]}
        elif "reportKeys" in doc:  # legacy CUR: <report>/<range>/<report>-Manifest.json
            keys = [str(k).split("/") for k in doc["reportKeys"]]
            names = {k[-1] for k in keys}
            range_folder = folder.rpartition("/")[2]
            sub = {k[-2] for k in keys if len(k) >= 2 and k[-2] != range_folder}
            if sub:  # "create new report version": files under <range>/<assemblyId>/
                current = f"{folder}/{sorted(sub)[0]}"
                d.current_folder[folder] = current
                d.current_names[current] = names
            else:  # "overwrite": files directly under <range>/
                d.current_names[folder] = names | {name}
        elif "exportConfig" in doc:  # Azure (cost details, FocusCost): <export>/<range>/<run>/
            config = doc.get("exportConfig") or {}
            kind = str(config.get("type", "") if isinstance(config, dict) else "").lower()
            d.azure_type[folder] = "amortized" if "amortized" in kind else "actual"
            run = doc.get("runInfo") or {}
            stamp = str(run.get("submittedTime") or run.get("endDate") or "")
            azure_runs[folder.rpartition("/")[0]].append((stamp, folder))
    for range_folder, runs in azure_runs.items():
        d.current_folder[range_folder] = max(runs)[1]
    return d
