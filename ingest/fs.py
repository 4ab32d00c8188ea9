"""Filesystem access for landing and lake roots: local paths or any fsspec URL.

Remote stores (s3://, gs://, abfs://) go through s3fs / gcsfs / adlfs; credentials come from
their usual environment variables, plus ``SIBYL_STORAGE_OPTIONS`` (JSON) for endpoints such as
an emulator. Writes are atomic: a local file is written under a temporary name and renamed;
an object store PUT replaces the object whole.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
from fsspec.core import url_to_fs

_PROTOCOL_ALIASES = {"gcs": "gs", "az": "abfs", "abfss": "abfs", "s3a": "s3"}


def storage_options(url: str) -> dict[str, Any]:
    """Options for the filesystem of ``url`` from ``SIBYL_STORAGE_OPTIONS`` (JSON).

    The JSON may be flat (applied to every remote protocol) or keyed by protocol, e.g.
    ``{"s3": {"endpoint_url": "http://127.0.0.1:5000"}}``; aliases (gcs/gs, az/abfs/abfss,
    s3a/s3) name the same store.
    """
    raw = os.environ.get("SIBYL_STORAGE_OPTIONS", "").strip()
    if not raw or "://" not in url:
        return {}
    opts = json.loads(raw)
    canonical = {_PROTOCOL_ALIASES.get(k, k): v for k, v in opts.items()}
    if not any(k in canonical for k in ("s3", "gs", "abfs")):
        return dict(opts)  # flat: the same options for every protocol
    proto = url.split("://", 1)[0]
    return dict(canonical.get(_PROTOCOL_ALIASES.get(proto, proto), {}))


def get_fs(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """(filesystem, path inside it) for a local path or URL."""
    if "://" not in url:
        url = str(Path(url).resolve())
    return url_to_fs(url, **storage_options(url))


def is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


@dataclass(frozen=True)
class RemoteFile:
    """A file under a root: its full path in ``fs``, path relative to the root, fingerprint."""

    path: str
    rel: str
    size: int
    fingerprint: str


def list_files(root: str) -> tuple[fsspec.AbstractFileSystem, list[RemoteFile]]:
    """Every file under ``root`` (recursive), with a change fingerprint (size + mtime/etag)."""
    fs, base = get_fs(root)
    if not fs.exists(base):
        return fs, []
    out: list[RemoteFile] = []
    base = base.rstrip("/")
    for path, info in sorted(fs.find(base, detail=True).items()):
        if info.get("type") == "directory":
            continue
        rel = path[len(base) :].lstrip("/")
        stamp = (
            info.get("ETag") or info.get("etag") or info.get("mtime") or info.get("LastModified")
        )
        stamp = stamp or info.get("last_modified") or info.get("updated") or ""
        out.append(RemoteFile(path, rel, int(info.get("size") or 0), f"{info.get('size')}:{stamp}"))
    return fs, out


def fetch(fs: fsspec.AbstractFileSystem, path: str, tmp_dir: Path) -> Path:
    """A local path for ``path``: itself when local, else a streamed download into tmp_dir."""
    if is_local(fs):
        return Path(path)
    local = tmp_dir / f"{uuid.uuid4().hex}-{Path(path).name}"
    fs.get_file(path, str(local))
    return local


def put_atomic(local: Path, root: str, rel: str) -> str:
    """Publish ``local`` at ``root/rel`` atomically; returns the destination path/URL."""
    fs, base = get_fs(root)
    dest = f"{base.rstrip('/')}/{rel}"
    if is_local(fs):
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        tmp = f"{dest}.{uuid.uuid4().hex}.tmp"
        shutil.copyfile(local, tmp)
        os.replace(tmp, dest)
    else:
        fs.put_file(str(local), dest)
    return dest


def write_text_atomic(root: str, rel: str, text: str, tmp_dir: Path) -> str:
    tmp = tmp_dir / f"{uuid.uuid4().hex}.txt"
    tmp.write_text(text, encoding="utf-8")
    try:
        return put_atomic(tmp, root, rel)
    finally:
        tmp.unlink(missing_ok=True)


def read_text(root: str, rel: str) -> str | None:
    fs, base = get_fs(root)
    path = f"{base.rstrip('/')}/{rel}"
    if not fs.exists(path):
        return None
    with fs.open(path, "r", encoding="utf-8") as fh:
        return str(fh.read())
