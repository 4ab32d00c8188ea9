"""CI artifacts (Terraform plan JSON uploaded by the gate's CI templates) as plain functions.

- `plan_keys`: which plan files under the artifacts root are new or changed (cursor logic).
- `safe_key` / `fetch_plan`: an artifact key is a relative path that can never read or write
  outside its root (no absolute paths, no `..`, no backslashes, no control characters, and for
  local roots the resolved path — symlinks followed — must stay inside).
- `read_sidecar`: optional `<plan>.meta.json` with repo, pr, branch, environment, team.
- `check_row` / `write_check` / `publish_checks`: the checks table (one Parquet file per plan
  key, replaced on re-run; `fct_iac_checks.parquet` published atomically for readers).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest import fs as lakefs
from ingest.fs import RemoteFile, get_fs, is_local, list_files

if TYPE_CHECKING:
    import pyarrow as pa

SIDECAR = ".meta.json"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+=-]*(/[A-Za-z0-9][A-Za-z0-9._@+=-]*)*$")
META_FIELDS: dict[str, type | tuple[type, ...]] = {"repo": str, "pr": (str, int), "branch": str, "environment": str, "team": str,
               "commit": str, "url": str}  # fmt: skip


class UnsafeArtifact(ValueError):
    pass


def safe_key(key: str) -> str:
    """The key, if it is a clean relative path ending in .json; else `UnsafeArtifact`."""
    if not key or len(key) > 512 or not _KEY.match(key) or ".." in key.split("/"):
        raise UnsafeArtifact(f"artifact name {key!r} is not a safe relative path")
    if not key.endswith(".json") or key.endswith(SIDECAR):
        raise UnsafeArtifact(f"artifact {key!r} is not a plan file (*.json, not *{SIDECAR})")
    return key


def _inside(root: str, key: str) -> str:
    fs, base = get_fs(root)
    path = f"{base.rstrip('/')}/{safe_key(key)}"
    if is_local(fs):
        real, real_root = Path(path).resolve(), Path(base).resolve()
        if not real.is_relative_to(real_root):
            raise UnsafeArtifact(f"artifact {key!r} resolves outside the artifacts root")
        return str(real)
    return path


def plan_keys(root: str, cursor: str | None) -> tuple[list[str], list[str], str]:
    """(new or changed plan keys, rejected names, new cursor). Sidecars re-trigger their plan."""
    _, files = list_files(root)
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    by_rel: dict[str, RemoteFile] = {f.rel: f for f in files}
    current: dict[str, str] = {}
    changed, rejected = [], []
    for rel, f in sorted(by_rel.items()):
        if rel.endswith(SIDECAR) or not rel.endswith(".json") or rel.startswith((".", "_")):
            continue
        try:
            safe_key(rel)
        except UnsafeArtifact:
            rejected.append(rel)
            continue
        side = by_rel.get(rel[: -len(".json")] + SIDECAR)
        current[rel] = f.fingerprint + (f"|{side.fingerprint}" if side else "")
        if seen.get(rel) != current[rel]:
            changed.append(rel)
    return changed, rejected, json.dumps(current, sort_keys=True)


def fetch_plan(root: str, key: str, tmp_dir: Path) -> Path:
    """A local copy (or the local path) of the plan under `root` named `key`."""
    path = _inside(root, key)
    fs, _ = get_fs(root)
    if is_local(fs):
        return Path(path)
    local = tmp_dir / f"{uuid.uuid4().hex}.json"
    fs.get_file(path, str(local))
    return local


def read_sidecar(root: str, key: str) -> tuple[dict[str, Any], list[str]]:
    """Sidecar metadata (validated) and problems found in it (reported, never fatal)."""
    fs, _ = get_fs(root)
    path = _inside(root, key)[: -len(".json")] + SIDECAR
    if not fs.exists(path):
        return {}, []
    try:
        with fs.open(path, "r", encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as e:
        return {}, [f"sidecar {key[:-5]}{SIDECAR} is not valid JSON: {e}"]
    if not isinstance(doc, dict):
        return {}, [f"sidecar {key[:-5]}{SIDECAR} is not a JSON object"]
    meta, problems = {}, []
    for k, v in doc.items():
        want = META_FIELDS.get(k)
        if want is None:
            problems.append(f"sidecar field {k!r} is not one of {', '.join(META_FIELDS)}")
        elif not isinstance(v, want) or isinstance(v, bool):
            problems.append(f"sidecar field {k!r} has the wrong type")
        else:
            meta[k] = str(v)
    return meta, problems


def check_row(key: str, report: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """One row of the checks table from a gate report (JSON shape) and the sidecar."""
    pol = report["policy"]
    return {
        "check_id": key,
        "checked_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "repo": meta.get("repo"), "pr": meta.get("pr"), "branch": meta.get("branch"),
        "commit_sha": meta.get("commit"), "url": meta.get("url"),
        "environment": meta.get("environment"), "team": meta.get("team"),
        "plan_path": key,
        "decision": pol["decision"],
        "total_monthly_cost": report["total_monthly_cost"],
        "total_monthly_cost_before": report["total_monthly_cost_before"],
        "delta_monthly_cost": report["delta_monthly_cost"],
        "resources": len(report["resources"]),
        "unpriced_resources": report["unpriced_resources"],
        "violations": len(pol["violations"]),
        "blocking_violations": sum(1 for v in pol["violations"] if v["action"] == "block"),
        "violations_json": json.dumps(pol["violations"]),
        "report_json": json.dumps(report),
    }  # fmt: skip


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".parquet"


def write_check(checks_dir: str, row: dict[str, Any]) -> str:
    """Write (replace) the check of one plan key; returns its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    money = pa.decimal128(18, 2)
    schema = pa.schema([
        ("check_id", pa.string()), ("checked_at", pa.timestamp("us")), ("repo", pa.string()),
        ("pr", pa.string()), ("branch", pa.string()), ("commit_sha", pa.string()), ("url", pa.string()),
        ("environment", pa.string()), ("team", pa.string()), ("plan_path", pa.string()),
        ("decision", pa.string()), ("total_monthly_cost", money), ("total_monthly_cost_before", money),
        ("delta_monthly_cost", money), ("resources", pa.int32()), ("unpriced_resources", pa.int32()),
        ("violations", pa.int32()), ("blocking_violations", pa.int32()),
        ("violations_json", pa.string()), ("report_json", pa.string()),
    ])  # fmt: skip
    from decimal import Decimal

    values = {
        k: (Decimal(v) if k.endswith("_cost") or k.endswith("_before") else v)
        for k, v in row.items()
    }
    table = pa.Table.from_pylist([values], schema=schema)
    out = Path(checks_dir)
    out.mkdir(parents=True, exist_ok=True)
    dest = out / _file_name(str(row["check_id"]))
    with tempfile.NamedTemporaryFile(dir=out, suffix=".tmp", delete=False) as tmp:
        pq.write_table(table, tmp.name)
    Path(tmp.name).replace(dest)
    return str(dest)


def checks_table(checks_dir: str) -> pa.Table | None:
    """Every check of the folder, newest first; None when no plan has been checked yet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = [pq.read_table(f) for f in sorted(Path(checks_dir).glob("*.parquet"))]
    if not tables:
        return None
    return pa.concat_tables(tables).sort_by([("checked_at", "descending")])


def publish_checks(checks_dir: str, marts_dir: str) -> tuple[str, int]:
    """Union every check into `<marts_dir>/fct_iac_checks.parquet` (a local folder: temp name,
    then rename; a bucket URL: one PUT)."""
    import pyarrow.parquet as pq

    dest = lakefs.join(marts_dir, "fct_iac_checks.parquet")
    table = checks_table(checks_dir)
    if table is None:
        return dest, 0
    with tempfile.TemporaryDirectory(prefix="sibyl-iac-") as tmp:
        local = Path(tmp) / "fct_iac_checks.parquet"
        pq.write_table(table, local)
        lakefs.put_atomic(local, marts_dir, "fct_iac_checks.parquet")
    return dest, table.num_rows
