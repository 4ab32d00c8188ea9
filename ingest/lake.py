"""The lake contract: partitions with lineage, control totals, the quarantine, orphans.

- ``<lake>/raw/<source>/billing_period=YYYY-MM/<variant>__<dataset>.parquet`` ("rewritten") — raw
  columns as exported plus ``_source_file``, ``_source_row``, ``_ingested_at``,
  ``_schema_variant``, ``_dataset``, ``_dataset_type``, ``_provider`` (the billing provider of the
  row: the source itself for native exports, ProviderName for FOCUS) and ``_billing_currency``.
  One file per export dataset and billing period, replaced atomically (never appended to).
- ``<lake>/raw/<source>/billing_period=YYYY-MM/<variant>__<dataset>/<digest>.parquet``
  ("registered", zero-copy) — a Parquet delivery stored byte for byte when every file of the
  partition is wholly in that period with one provider and one currency: its lineage is then
  constant per file except the row number, so the control JSON's ``registered`` list carries it
  and dbt's ``lake_source`` adds the same lineage columns at read time (``file_row_number``).
  CSV/JSON deliveries, and a Parquet file spanning periods, are rewritten as above.
- ``<lake>/_control/<source>/billing_period=YYYY-MM/<variant>__<dataset>.json`` — control totals
  per provider x billing account x period x currency, as exported; the partition's manifest
  (``stored``: rewritten | registered, and the registered files' lineage). Written after the
  data files, so a reader joining the manifest never sees a half-written registered partition.
- ``<lake>/quarantine/<source>/<stamp>__<digest>__<file>`` + ``.json`` — rejected files and why.
  A symbolic link or a path resolving outside the landing root is never copied: only the
  sidecar (its name and reason) is written.
- Orphans: lake partitions whose landing files are gone are reported; ``prune`` removes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ingest import fs as lakefs
from ingest.discovery import slug
from ingest.providers import FOCUS_SOURCE, provider_of_focus_sql
from ingest.report import ControlTotal, FileResult, PartitionResult
from ingest.sql import literal
from ingest.validate import Problem
from ingest.variants import Variant

log = logging.getLogger(__name__)


def provider_expr(variant: Variant) -> str:
    """SQL for the row's provider: the source for native exports, ProviderName for FOCUS."""
    if variant.provider == FOCUS_SOURCE:
        return provider_of_focus_sql(variant.provider_sql)
    return literal(variant.provider)


def quarantine(
    fs: Any,
    f: lakefs.RemoteFile,
    res: FileResult,
    problems: list[Problem],
    lake_root: str,
    landing_root: str,
    tmp_root: Path,
    now: dt.datetime,
) -> FileResult:
    """Mark ``res`` quarantined; copy the file (only from inside the root) and a JSON sidecar."""
    res.status = "quarantined"
    res.problems = [p.as_dict() for p in problems]
    res.reason = "; ".join(str(p) for p in problems)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    digest = hashlib.sha1(f.rel.encode(), usedforsecurity=False).hexdigest()[:8]
    name = slug(f.rel.rsplit("/", 1)[-1])
    base = f"quarantine/{res.source or 'unknown'}/{stamp}__{digest}__{name}"
    local_root = lakefs.is_local(fs)
    safe = not f.link and (not local_root or lakefs.inside_root(landing_root, f.path))
    if safe:
        local = lakefs.fetch(fs, f.path, tmp_root)
        res.quarantine_path = lakefs.put_atomic(local, lake_root, base)
    sidecar = {
        "file": f.rel,
        "fingerprint": f.fingerprint,
        "provider": res.provider,
        "source": res.source,
        "variant": res.variant,
        "reason": res.reason,
        "problems": res.problems,
        "quarantined_at": now.isoformat(),
        "quarantined_copy": res.quarantine_path,
    }
    lakefs.write_text_atomic(lake_root, base + ".json", json.dumps(sidecar, indent=1), tmp_root)
    log.warning("quarantined %s: %s", f.rel, res.reason[:300])
    return res


def write_partition(
    con: duckdb.DuckDBPyConnection,
    lake_root: str,
    tmp_root: Path,
    source: str,
    period: str,
    variant_name: str,
    dataset: str,
    members: list[tuple[Path, FileResult, Variant]],
    now: dt.datetime,
    zero_copy: bool = True,
) -> PartitionResult:
    """Write one export dataset's rows of one billing period to the lake (registered zero-copy
    when :func:`registrable` and ``zero_copy``, else rewritten with lineage columns), then its
    control JSON."""
    name = f"{variant_name}__{dataset}"
    folder_rel = f"raw/{source}/billing_period={period}/{name}"
    registered: list[dict[str, str | None]] = []
    if zero_copy and all(registrable(res, period) for _, res, _ in members):
        for stage, res, _ in members:
            file = f"{_digest(f'{source}/{period}/{name}/{res.rel}')}.parquet"
            # a copy, never a link: the lake must not change when a landing file is rewritten
            # in place; on Linux the copy is in-kernel (copy_file_range / sendfile)
            lakefs.put_atomic(stage, lake_root, f"{folder_rel}/{file}")
            registered.append(
                {
                    "file": file,
                    "source_file": res.rel,
                    "provider": res.totals[0].provider,
                    "currency": res.totals[0].currency or None,
                    "dataset_type": res.dataset_type or "actual",
                }
            )
        dest = lakefs.join(lake_root, folder_rel)
    else:
        dest = _rewrite(con, lake_root, tmp_root, source, period, name, members, now)
    part = _partition_result(source, period, variant_name, dataset, members, dest)
    control = asdict(part) | {
        "ingested_at": now.isoformat(),
        "stored": "registered" if registered else "rewritten",
        "registered": registered,
    }
    lakefs.write_text_atomic(
        lake_root,
        f"_control/{source}/billing_period={period}/{name}.json",
        json.dumps(control, indent=1),
        tmp_root,
    )
    _remove_stale(lake_root, folder_rel, {r["file"] or "" for r in registered}, bool(registered))
    return part


def registrable(res: FileResult, period: str) -> bool:
    """True when a loaded file can be stored as delivered: a Parquet file whose rows are all in
    ``period`` with one provider and one billing currency, so every lineage column but the row
    number is one value for the whole file (kept in the partition's manifest)."""
    if not res.rel.lower().endswith(".parquet") or res.periods != [period] or not res.totals:
        return False
    providers = {t.provider for t in res.totals}
    currencies = {t.currency for t in res.totals}
    return len(providers) == 1 and "None" not in providers and len(currencies) == 1


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _remove_stale(lake_root: str, folder_rel: str, keep: set[str], registered: bool) -> None:
    """After the manifest is written: drop the partition's other layout and stale member files."""
    fs, base = lakefs.get_fs(lake_root)
    folder = f"{base.rstrip('/')}/{folder_rel}"
    if registered:
        if fs.exists(f"{folder}.parquet"):
            fs.rm(f"{folder}.parquet")
        for path in fs.glob(f"{folder}/*.parquet"):
            if path.rsplit("/", 1)[-1] not in keep:
                fs.rm(path)
    elif fs.exists(folder):
        fs.rm(folder, recursive=True)


def _rewrite(
    con: duckdb.DuckDBPyConnection,
    lake_root: str,
    tmp_root: Path,
    source: str,
    period: str,
    name: str,
    members: list[tuple[Path, FileResult, Variant]],
    now: dt.datetime,
) -> str:
    """The partition's rows with lineage columns as one Parquet file, published atomically."""
    dataset = name.split("__", 1)[1]
    selects = []
    for stage, res, v in members:
        selects.append(
            # every value is quoted by literal(); the SQL expressions are the bound variant's
            # (column names quoted by ident())
            f"""select *, {literal(res.rel)} as _source_file, file_row_number + 1 as _source_row,
                       timestamptz {literal(now.isoformat())} as _ingested_at,
                       {literal(v.name)} as _schema_variant, {literal(dataset)} as _dataset,
                       {literal(res.dataset_type or "actual")} as _dataset_type,
                       {provider_expr(v)} as _provider,
                       coalesce(nullif(upper(trim(cast({v.currency_sql} as varchar))), ''),
                                {literal(res.default_currency) if res.default_currency else "null"}
                       ) as _billing_currency
                from read_parquet({literal(str(stage))}, file_row_number=true)
                where strftime({v.period_sql}, '%Y-%m') = {literal(period)}"""  # noqa: S608
        )
    body = " union all by name ".join(f"({s})" for s in selects)
    out = tmp_root / f"{source}-{period}-{name}.parquet"
    con.execute(
        f"copy (select * exclude (file_row_number) from ({body})) to {literal(str(out))} (format parquet, compression zstd)"  # noqa: S608 (see selects)
    )
    dest = lakefs.put_atomic(out, lake_root, f"raw/{source}/billing_period={period}/{name}.parquet")
    out.unlink(missing_ok=True)
    return dest


def _partition_result(
    source: str,
    period: str,
    variant_name: str,
    dataset: str,
    members: list[tuple[Path, FileResult, Variant]],
    dest: str,
) -> PartitionResult:
    # the control totals were computed when each file was read (one pass per file)
    merged: dict[tuple[str, str, str], ControlTotal] = {}
    for _, res, _ in members:
        for t in res.totals:
            if t.billing_period != period:
                continue
            key = (t.provider, t.billing_account_id, t.currency)
            if key not in merged:
                merged[key] = ControlTotal(
                    t.provider, t.billing_account_id, period, t.currency, 0, "0"
                )
            m = merged[key]
            m.rows += t.rows
            m.billed_total = str(Decimal(m.billed_total) + Decimal(t.billed_total))
    totals = [merged[k] for k in sorted(merged)]
    return PartitionResult(
        source=source,
        billing_period=period,
        variant=variant_name,
        dataset=dataset,
        dataset_type=members[0][1].dataset_type or "actual",
        lake_path=dest,
        rows=sum(t.rows for t in totals),
        billed_total=str(sum((Decimal(t.billed_total) for t in totals), Decimal(0))),
        currencies=sorted({t.currency for t in totals}),
        source_files=[r.rel for _, r, _ in members],
        totals=totals,
    )


# The lineage columns of a registered delivery: constant ones from its partition manifest (joined
# by the lake file's name, a digest unique in the lake), the row number from the file itself.
# Same SQL as dbt's lake_registered_read (macros/lake.sql); the file lists are bind parameters.
_REGISTERED_SQL = """
select f.* exclude (filename, file_row_number), m.source_file as _source_file,
       f.file_row_number + 1 as _source_row, cast(m.ingested_at as timestamptz) as _ingested_at,
       m.variant as _schema_variant, m.dataset as _dataset, m.dataset_type as _dataset_type,
       m.provider as _provider, m.currency as _billing_currency
from read_parquet($registered, union_by_name = true, hive_partitioning = false, filename = true,
                  file_row_number = true) as f
join (select c.variant, c.dataset, c.ingested_at, unnest(c.registered, recursive := true)
      from read_json($manifests, format = 'auto', columns = {variant: 'VARCHAR',
           dataset: 'VARCHAR', ingested_at: 'VARCHAR', registered: 'STRUCT(file VARCHAR,
           source_file VARCHAR, provider VARCHAR, currency VARCHAR, dataset_type VARCHAR)[]'})
           as c) as m
  on parse_filename(f.filename) = m.file
"""


def read_lake(
    con: duckdb.DuckDBPyConnection,
    lake_root: str,
    source: str,
    period: str = "*",
    variant: str = "*",
) -> duckdb.DuckDBPyRelation:
    """Every lake row of ``source`` (optionally one ``period`` / export ``variant``), rewritten
    and registered files alike, with the lineage columns: what dbt's ``lake_source`` reads, for
    checks and loaders (a loader of raw__<source>__<variant> tables reads registered deliveries
    through this). Raises FileNotFoundError when the lake has no file for it."""
    fs, base = lakefs.get_fs(lake_root)
    base = base.rstrip("/")

    def found(pattern: str) -> list[str]:
        hits = sorted(fs.glob(f"{base}/{pattern}"))
        return [lakefs.join(lake_root, h[len(base) :].lstrip("/")) for h in hits]

    folder = f"raw/{source}/billing_period={period}"
    rel = read_lake_files(
        con,
        rewritten=found(f"{folder}/{variant}__*.parquet"),
        registered=found(f"{folder}/{variant}__*/*.parquet"),
        manifests=found(f"_control/{source}/billing_period={period}/{variant}__*.json"),
    )
    if rel is None:
        raise FileNotFoundError(f"no lake file for {source} {period}")
    return rel


def read_lake_files(
    con: duckdb.DuckDBPyConnection,
    rewritten: list[str],
    registered: list[str],
    manifests: list[str],
) -> duckdb.DuckDBPyRelation | None:
    """Given lake files (rewritten partitions, registered deliveries and the partition manifests
    that hold the registered files' lineage), their rows with the lineage columns, unioned by
    name; None when there is no file. The file lists are bind parameters."""
    parts, params = [], {}
    if rewritten:
        parts.append(
            "select * from read_parquet($rewritten, union_by_name = true, hive_partitioning = false)"
        )
        params["rewritten"] = rewritten
    if registered:
        parts.append(_REGISTERED_SQL)
        params["registered"] = registered
        params["manifests"] = manifests
    if not parts:
        return None
    return con.sql(" union all by name ".join(f"({q})" for q in parts), params=params)


def find_orphans(lake_root: str, landing_rels: set[str]) -> list[tuple[str, str]]:
    """(partition, control) relative paths whose every source file left the landing root."""
    fs, base = lakefs.get_fs(lake_root)
    base = base.rstrip("/")
    folder = f"{base}/_control"
    if not fs.exists(folder):
        return []
    out = []
    for path in sorted(fs.glob(f"{folder}/*/*/*.json")):
        try:
            with fs.open(path, "r", encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            continue
        files = set(doc.get("source_files") or [])
        if files and not files & landing_rels:
            control_rel = path[len(base) :].lstrip("/")
            part_rel = "raw/" + control_rel.removeprefix("_control/").removesuffix(".json")
            out.append((part_rel + ".parquet", control_rel))
    return out


def prune(lake_root: str, orphans: list[tuple[str, str]]) -> list[str]:
    """Remove orphaned partitions and their control totals; returns what was removed."""
    fs, base = lakefs.get_fs(lake_root)
    base = base.rstrip("/")
    removed = []
    for part_rel, control_rel in orphans:
        # a rewritten partition is <name>.parquet, a registered one the folder <name>/
        for rel in (part_rel, part_rel.removesuffix(".parquet"), control_rel):
            path = f"{base}/{rel}"
            if fs.exists(path):
                fs.rm(path, recursive=fs.isdir(path))
        removed.append(part_rel)
    return removed
