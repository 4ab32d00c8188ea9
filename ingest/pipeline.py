"""Ingest: landing files (local or fsspec URL) -> validated, reconciled Parquet lake.

Lake contract (see DESIGN.md):

- ``<lake>/raw/<provider>/billing_period=YYYY-MM/<variant>__<dataset>.parquet`` — raw columns as
  exported plus ``_source_file``, ``_source_row``, ``_ingested_at``, ``_schema_variant``,
  ``_dataset``, ``_dataset_type``. One file per export dataset and billing period, replaced
  atomically when the period is re-delivered (never appended to).
- ``<lake>/_control/<provider>/billing_period=YYYY-MM/<variant>__<dataset>.json`` — control
  totals (rows, billed cost as exported) that the dbt reconciliation test checks the marts
  against.
- ``<lake>/quarantine/<provider>/<stamp>__<file>`` + ``.json`` — rejected files and why.
- ``<lake>/_state/`` — the landing catalog (fingerprints, for the sensor) and run reports.

Everything is vectorized in DuckDB; files are processed one at a time so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ingest import fs as lakefs
from ingest.sql import ident, literal
from ingest.validate import FileValidator, Problem
from ingest.variants import BY_NAME, Variant, detect, q

log = logging.getLogger(__name__)

PROVIDERS = ("aws", "gcp", "azure")
CATALOG_REL = "_state/landing_catalog.json"
_PERIOD_MARKERS = (
    (re.compile(r"^BILLING_PERIOD=(\d{4})-(\d{2})$", re.I), "{0}-{1}"),
    (re.compile(r"^billing_period=(\d{4})-(\d{2})$", re.I), "{0}-{1}"),
    (re.compile(r"^invoice_month=(\d{4})(\d{2})$", re.I), "{0}-{1}"),
    (re.compile(r"^(\d{4})(\d{2})01-\d{8}$"), "{0}-{1}"),
)
_DATA_SUFFIXES = (
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


@dataclass
class FileResult:
    """What happened to one landing file."""

    rel: str
    status: str  # loaded | quarantined | superseded | skipped
    provider: str | None = None
    variant: str | None = None
    dataset: str | None = None
    dataset_type: str | None = None
    periods: list[str] = field(default_factory=list)
    rows: int = 0
    billed_total: str = "0"
    reason: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    quarantine_path: str | None = None


@dataclass
class PartitionResult:
    """One lake file written: an export dataset's rows for one billing period."""

    provider: str
    billing_period: str
    variant: str
    dataset: str
    dataset_type: str
    lake_path: str
    rows: int
    billed_total: str
    currency: str
    source_files: list[str]


@dataclass
class IngestReport:
    run_id: str
    landing_root: str
    lake_root: str
    started_at: str
    finished_at: str = ""
    files: list[FileResult] = field(default_factory=list)
    partitions: list[PartitionResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def quarantined(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "quarantined"]

    def billed_by_provider_period(self) -> dict[tuple[str, str], Decimal]:
        out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for p in self.partitions:
            out[(p.provider, p.billing_period)] += Decimal(p.billed_total)
        return dict(out)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        rows = sum(p.rows for p in self.partitions)
        return (
            f"{self.count('loaded')} file(s) loaded, {self.count('quarantined')} quarantined, "
            f"{self.count('superseded')} superseded, {self.count('skipped')} skipped; "
            f"{len(self.partitions)} lake partition file(s), {rows:,} rows"
        )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()[:120] or "file"


def path_period_and_dataset(rel: str) -> tuple[str | None, str]:
    """Billing period and dataset (export name) from a delivery path, when the layout says so."""
    parts = rel.split("/")
    for i, seg in enumerate(parts[:-1]):
        for rx, fmt in _PERIOD_MARKERS:
            m = rx.match(seg)
            if m:
                before = [p for p in parts[:i] if p.lower() != "data"]
                dataset = before[-1] if before else _slug(rel.rsplit(".", 1)[0])
                return fmt.format(*m.groups()), _slug(dataset)
    stem = rel
    for suf in _DATA_SUFFIXES:
        if stem.lower().endswith(suf):
            stem = stem[: -len(suf)]
    return None, _slug(stem)


def _is_data_file(rel: str) -> bool:
    return rel.lower().endswith(_DATA_SUFFIXES)


def _skip_reason(rel: str) -> str | None:
    segs = rel.split("/")
    if segs[0] in ("metrics", "recommendations"):  # their own sources (ingest.metrics, savings)
        return f"{segs[0]}: read by their own source, not a billing export"
    if any(s.startswith((".", "_")) for s in segs):
        return "hidden or metadata path (segments starting with '.' or '_')"
    name = segs[-1].lower()
    if name.endswith("manifest.json"):
        return "export manifest (used to pick the current delivery)"
    return None


@dataclass
class _Deliveries:
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


def _read_manifests(fs: Any, files: list[lakefs.RemoteFile]) -> _Deliveries:
    """Read AWS (CUR 2.0 and legacy CUR) and Azure export manifests."""
    d = _Deliveries()
    azure_runs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for f in files:
        folder, _, name = f.rel.rpartition("/")
        if not name.lower().endswith("manifest.json"):
            continue
        try:
            with fs.open(f.path, "r", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError) as exc:
            log.warning("unreadable manifest %s: %s", f.rel, exc)
            continue
        if "dataFiles" in doc:  # Data Exports (CUR 2.0): <export>/metadata/<partition>/
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
        elif "exportConfig" in doc:  # Azure: <export>/<range>/<run-id>/manifest.json
            kind = str(doc["exportConfig"].get("type", "")).lower()
            d.azure_type[folder] = "amortized" if "amortized" in kind else "actual"
            run = doc.get("runInfo", {})
            stamp = str(run.get("submittedTime") or run.get("endDate") or "")
            azure_runs[folder.rpartition("/")[0]].append((stamp, folder))
    for range_folder, runs in azure_runs.items():
        d.current_folder[range_folder] = max(runs)[1]
    return d


def _open_relation(con: duckdb.DuckDBPyConnection, local: Path, rel: str) -> str:
    """SQL that reads the file as exported (CSV as text, so nothing is reinterpreted)."""
    path = literal(str(local))
    low = rel.lower()
    if low.endswith(".parquet"):
        return f"read_parquet({path})"
    if low.endswith((".csv", ".csv.gz")):
        comp = "gzip" if low.endswith(".gz") else "none"
        return (
            f"read_csv({path}, header=true, all_varchar=true, strict_mode=true, "
            f"compression='{comp}', sample_size=-1)"
        )
    comp = "gzip" if low.endswith(".gz") else "none"
    return f"read_json({path}, format='newline_delimited', compression='{comp}', sample_size=-1)"


_GCP_TS = ("usage_start_time", "usage_end_time", "export_time")


def _stage(con: duckdb.DuckDBPyConnection, relation: str, rel: str, out: Path) -> None:
    """Materialize the file as Parquet in the work dir (CSV/JSON; parquet is read in place)."""
    # relation: _open_relation's SQL (path quoted by literal()); column names quoted by q()
    cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]  # noqa: S608
    select = "*"
    if rel.lower().endswith((".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        # BigQuery writes TIMESTAMP as 'YYYY-MM-DD HH:MM:SS UTC' in JSON: make them timestamps
        fixes = [
            f"coalesce(try_strptime(cast({q(c)} as varchar), '%Y-%m-%d %H:%M:%S UTC'),"
            f" try_cast(cast({q(c)} as varchar) as timestamptz)) as {q(c)}"
            for c in _GCP_TS
            if c in cols
        ]
        if fixes:
            select = f"* replace ({', '.join(fixes)})"
    con.execute(
        f"copy (select {select} from {relation}) to {literal(str(out))} (format parquet, compression zstd)"  # noqa: S608
    )


def _azure_dataset_type(
    con: duckdb.DuckDBPyConnection, view: str, rel: str, manifest_type: str | None
) -> str:
    if manifest_type:
        return manifest_type
    low = rel.lower()
    if "amortized" in low:
        return "amortized"
    if "actual" in low:
        return "actual"
    # content: amortized data carries the commitment cost on usage and unused rows
    cost = (
        'coalesce(try_cast("Cost" as double), 0)'
        if "Cost" in _columns(con, view)
        else 'coalesce(try_cast("CostInBillingCurrency" as double), 0)'
    )
    n = con.execute(
        # view: an internal name (f<n>); cost: one of two constant expressions
        f"""select count(*) from {view} where "ChargeType" in ('UnusedReservation','UnusedSavingsPlan')
            or ("ChargeType" = 'Usage' and "PricingModel" in ('Reservation','SavingsPlan') and {cost} <> 0)"""  # noqa: S608
    ).fetchone()
    return "amortized" if n and n[0] else "actual"


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> list[str]:
    return [r[0] for r in con.execute(f"describe select * from {ident(view)}").fetchall()]  # noqa: S608


def load_catalog(lake_root: str) -> dict[str, Any]:
    text = lakefs.read_text(lake_root, CATALOG_REL)
    return json.loads(text) if text else {"files": {}}


def ingest(
    landing_root: str,
    lake_root: str,
    *,
    providers: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
    work_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    duckdb_memory_limit: str = "1GB",
) -> IngestReport:
    """Ingest every export under ``landing_root`` into ``lake_root``.

    ``providers`` / ``periods`` (``YYYY-MM``) restrict the run to some partitions; other lake
    partitions are left untouched. Bad files are quarantined with their reasons; the rest load.
    """
    say = progress or log.info
    want_providers = set(providers) if providers else set(PROVIDERS)
    want_periods = set(periods) if periods else None
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    now = dt.datetime.now(dt.UTC)
    report = IngestReport(run_id, landing_root, lake_root, started_at=now.isoformat())
    catalog = load_catalog(lake_root)
    fs, files = lakefs.list_files(landing_root)
    say(f"discovered {len(files)} file(s) under {landing_root}")
    deliveries = _read_manifests(fs, files)

    tmp_root = Path(tempfile.mkdtemp(prefix="sibyl-ingest-", dir=work_dir))
    con = duckdb.connect()
    con.execute(f"set memory_limit={literal(duckdb_memory_limit)}")
    con.execute(f"set temp_directory={literal(str(tmp_root / 'spill'))}")
    con.execute("set timezone='UTC'")
    # lake rows keep their source row number, so their order carries no meaning: letting DuckDB
    # write in parallel without ordering buffers makes lake writes ~3x faster at 10M rows
    con.execute("set preserve_insertion_order=false")
    validators: list[FileValidator] = []

    def get_validator() -> FileValidator:
        # great-expectations is slow to import: only pay for it when a data file arrives
        if not validators:
            validators.append(FileValidator(con))
        return validators[0]

    staged: dict[tuple[str, str, str, str], list[tuple[Path, FileResult]]] = defaultdict(list)
    try:
        for n, f in enumerate(files, start=1):
            reason = _skip_reason(f.rel)
            if reason:
                report.files.append(FileResult(f.rel, "skipped", reason=reason))
                continue
            if deliveries.superseded(f.rel):
                report.files.append(
                    FileResult(f.rel, "superseded", reason="not in the latest delivery's manifest")
                )
                continue
            folder = f.rel.rpartition("/")[0]
            path_period, dataset = path_period_and_dataset(f.rel)
            cached = catalog["files"].get(f.rel, {})
            known_periods = (
                cached.get("periods") if cached.get("fingerprint") == f.fingerprint else None
            )
            if want_periods is not None:
                cand = {path_period} if path_period else set(known_periods or [])
                if cand and not cand & want_periods:
                    continue
            if (
                cached.get("provider")
                and cached.get("fingerprint") == f.fingerprint
                and cached["provider"] not in want_providers
            ):
                continue
            say(f"[{n}/{len(files)}] {f.rel}")
            result, stage_path = _process_file(
                con,
                fs,
                f,
                n,
                tmp_root,
                path_period,
                dataset,
                deliveries.azure_type.get(folder),
                get_validator,
                lake_root,
                now,
            )
            if result.provider and result.provider not in want_providers:
                continue
            report.files.append(result)
            if result.status == "loaded" and stage_path is not None:
                for period in result.periods:
                    if want_periods is None or period in want_periods:
                        key = (
                            result.provider or "",
                            period,
                            result.variant or "",
                            result.dataset or "",
                        )
                        staged[key].append((stage_path, result))
            catalog["files"][f.rel] = {
                "fingerprint": f.fingerprint,
                "provider": result.provider,
                "variant": result.variant,
                "periods": result.periods,
                "status": result.status,
            }

        for (provider, period, variant_name, dataset), members in sorted(staged.items()):
            part = _write_partition(
                con,
                lake_root,
                tmp_root,
                provider,
                period,
                BY_NAME[variant_name],
                dataset,
                members,
                now,
            )
            report.partitions.append(part)
            say(
                f"lake {provider} {period} {variant_name}__{dataset}: {part.rows:,} rows, billed {part.billed_total} {part.currency}"
            )

        report.finished_at = dt.datetime.now(dt.UTC).isoformat()
        lakefs.write_text_atomic(lake_root, CATALOG_REL, json.dumps(catalog, indent=1), tmp_root)
        lakefs.write_text_atomic(
            lake_root,
            f"_state/runs/{run_id}.json",
            json.dumps(report.to_dict(), indent=1),
            tmp_root,
        )
        say(report.summary())
        return report
    finally:
        con.close()
        shutil.rmtree(tmp_root, ignore_errors=True)


def _process_file(
    con: duckdb.DuckDBPyConnection,
    fs: Any,
    f: lakefs.RemoteFile,
    n: int,
    tmp_root: Path,
    path_period: str | None,
    dataset: str,
    manifest_type: str | None,
    get_validator: Callable[[], FileValidator],
    lake_root: str,
    now: dt.datetime,
) -> tuple[FileResult, Path | None]:
    """Read, detect, validate one file; quarantine it on any problem."""
    res = FileResult(f.rel, "loaded", dataset=dataset)
    if not _is_data_file(f.rel):
        suffix = f.rel.rsplit(".", 1)[-1] if "." in f.rel else "(none)"
        return _quarantine(
            fs,
            f,
            res,
            [
                Problem(
                    None,
                    f"unsupported file type '.{suffix}' (expected parquet, csv[.gz] or json lines[.gz])",
                )
            ],
            lake_root,
            tmp_root,
            now,
        ), None
    local = lakefs.fetch(fs, f.path, tmp_root)
    view = f"f{n}"
    try:
        relation = _open_relation(con, local, f.rel)
        cols = [r[0] for r in con.execute(f"describe select * from {relation}").fetchall()]  # noqa: S608
    except duckdb.Error as exc:
        return _quarantine(
            fs, f, res, [Problem(None, f"unreadable file: {_clean(exc)}")], lake_root, tmp_root, now
        ), None
    variant = detect(cols)
    if variant is None:
        shown = ", ".join(cols[:8]) + (", ..." if len(cols) > 8 else "")
        return _quarantine(
            fs,
            f,
            res,
            [
                Problem(
                    None, f"unknown schema: no known export variant matches the columns [{shown}]"
                )
            ],
            lake_root,
            tmp_root,
            now,
        ), None
    res.provider, res.variant = variant.provider, variant.name
    validator = get_validator()
    stage = tmp_root / f"{view}.parquet"
    try:
        if f.rel.lower().endswith(".parquet"):
            # a parquet file must be readable end to end (a truncated file fails here)
            con.execute(f"select count(*) from {relation}").fetchone()  # noqa: S608
            stage = local
        else:
            _stage(con, relation, f.rel, stage)
        # view: an internal name (f<n>); the path is quoted by literal()
        con.execute(
            f"create or replace view {view} as select * from read_parquet({literal(str(stage))})"  # noqa: S608
        )
        problems = validator.validate(view, variant)
    except duckdb.Error as exc:
        return _quarantine(
            fs, f, res, [Problem(None, f"unreadable file: {_clean(exc)}")], lake_root, tmp_root, now
        ), None
    if problems:
        return _quarantine(fs, f, res, problems, lake_root, tmp_root, now), None
    if variant.provider == "azure":
        res.dataset_type = _azure_dataset_type(con, view, f.rel, manifest_type)
    else:
        res.dataset_type = "actual"
    stats = con.execute(
        f"""select strftime({variant.period_sql}, '%Y-%m') as p, count(*),
                   sum({variant.billed_sql})
                       filter (where not coalesce({variant.excluded_from_billed_sql}, false))
            from {view} group by 1 order by 1"""  # noqa: S608 (internal view name, variant constants)
    ).fetchall()
    res.periods = [str(p) for p, _, _ in stats]
    res.rows = sum(int(c) for _, c, _ in stats)
    res.billed_total = str(sum((Decimal(t or 0) for _, _, t in stats), Decimal(0)))
    if path_period and res.periods != [path_period]:
        problem = Problem(
            None,
            f"the delivery folder says billing period {path_period} but the rows are in {', '.join(res.periods)}",
        )
        return _quarantine(fs, f, res, [problem], lake_root, tmp_root, now), None
    return res, stage


def _clean(exc: Exception) -> str:
    """The informative lines of a DuckDB error: no SQL echo, no row dump, no option listing."""
    keep = []
    for line in str(exc).splitlines():
        text = line.strip()
        if (
            not text
            or line.startswith((" ", "\t"))
            or text.startswith(("Original Line", "Possible Solution", "LINE 1:", "^"))
        ):
            continue
        keep.append(text)
        if len(keep) == 2:
            break
    return " — ".join(keep)[:400] or type(exc).__name__


def _quarantine(
    fs: Any,
    f: lakefs.RemoteFile,
    res: FileResult,
    problems: list[Problem],
    lake_root: str,
    tmp_root: Path,
    now: dt.datetime,
) -> FileResult:
    res.status = "quarantined"
    res.problems = [p.as_dict() for p in problems]
    res.reason = "; ".join(str(p) for p in problems)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    digest = hashlib.sha1(f.rel.encode(), usedforsecurity=False).hexdigest()[:8]
    base = f"quarantine/{res.provider or 'unknown'}/{stamp}__{digest}__{_slug(f.rel.rsplit('/', 1)[-1])}"
    local = lakefs.fetch(fs, f.path, tmp_root)
    res.quarantine_path = lakefs.put_atomic(local, lake_root, base)
    sidecar = {
        "file": f.rel,
        "fingerprint": f.fingerprint,
        "provider": res.provider,
        "variant": res.variant,
        "reason": res.reason,
        "problems": res.problems,
        "quarantined_at": now.isoformat(),
        "quarantined_copy": res.quarantine_path,
    }
    lakefs.write_text_atomic(lake_root, base + ".json", json.dumps(sidecar, indent=1), tmp_root)
    log.warning("quarantined %s: %s", f.rel, res.reason)
    return res


def _write_partition(
    con: duckdb.DuckDBPyConnection,
    lake_root: str,
    tmp_root: Path,
    provider: str,
    period: str,
    variant: Variant,
    dataset: str,
    members: list[tuple[Path, FileResult]],
    now: dt.datetime,
) -> PartitionResult:
    """Write one export dataset's rows of one billing period to the lake, atomically."""
    selects = []
    for stage, res in members:
        selects.append(
            # every value is quoted by literal(); the period SQL is the variant's constant
            f"""select *, {literal(res.rel)} as _source_file, file_row_number + 1 as _source_row,
                       timestamptz {literal(now.isoformat())} as _ingested_at,
                       {literal(variant.name)} as _schema_variant, {literal(dataset)} as _dataset,
                       {literal(res.dataset_type or "actual")} as _dataset_type
                from read_parquet({literal(str(stage))}, file_row_number=true)
                where strftime({variant.period_sql}, '%Y-%m') = {literal(period)}"""  # noqa: S608
        )
    body = " union all by name ".join(f"({s})" for s in selects)
    body = f"select * exclude (file_row_number) from ({body})"  # noqa: S608
    name = f"{variant.name}__{dataset}"
    out = tmp_root / f"{provider}-{period}-{name}.parquet"
    con.execute(f"copy ({body}) to {literal(str(out))} (format parquet, compression zstd)")
    rows, billed, currency = con.execute(
        f"""select count(*), sum({variant.billed_sql})
                filter (where not coalesce({variant.excluded_from_billed_sql}, false)),
                coalesce(string_agg(distinct cast({variant.currency_sql} as varchar), ','
                                    order by cast({variant.currency_sql} as varchar)), '')
            from read_parquet($out)""",  # noqa: S608
        {"out": str(out)},
    ).fetchone() or (0, 0, "")
    rel = f"raw/{provider}/billing_period={period}/{name}.parquet"
    dest = lakefs.put_atomic(out, lake_root, rel)
    out.unlink(missing_ok=True)
    part = PartitionResult(
        provider=provider,
        billing_period=period,
        variant=variant.name,
        dataset=dataset,
        dataset_type=members[0][1].dataset_type or "actual",
        lake_path=dest,
        rows=int(rows),
        billed_total=str(Decimal(billed or 0)),
        currency=currency,
        source_files=[r.rel for _, r in members],
    )
    control = asdict(part) | {"ingested_at": now.isoformat()}
    lakefs.write_text_atomic(
        lake_root,
        f"_control/{provider}/billing_period={period}/{name}.json",
        json.dumps(control, indent=1),
        tmp_root,
    )
    return part


def ingested_periods_since(lake_root: str, since: str | None) -> set[str]:
    """Billing periods (YYYY-MM) written to the lake by ingest runs that finished after ``since``
    (ISO timestamp; None = all runs). Drives incremental dbt builds."""
    fs, base = lakefs.get_fs(lake_root)
    folder = f"{base.rstrip('/')}/_state/runs"
    if not fs.exists(folder):
        return set()
    periods: set[str] = set()
    for path in fs.glob(f"{folder}/*.json"):
        with fs.open(path, "r", encoding="utf-8") as fh:
            run = json.load(fh)
        if since is None or str(run.get("finished_at", "")) > since:
            periods.update(str(p["billing_period"]) for p in run.get("partitions", []))
    return periods
