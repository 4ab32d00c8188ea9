"""Filesystem access for landing and lake roots: local paths or any fsspec URL.

Remote stores (s3://, gs://, abfs://) go through s3fs / gcsfs / adlfs; credentials come from
their usual environment variables, plus ``SIBYL_STORAGE_OPTIONS`` (JSON) for endpoints such as
an emulator. Writes are atomic: a local file is written under a temporary name and renamed;
an object store PUT replaces the object whole.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
from fsspec.core import url_to_fs

_PROTOCOL_ALIASES = {"gcs": "gs", "az": "abfs", "abfss": "abfs", "s3a": "s3"}
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")
_SECRET_QUERY = re.compile(
    r"(?i)([?&](?:sig|signature|token|key|secret|password|access_key|sas|x-amz-signature|"
    r"x-amz-credential|x-amz-security-token|code)=)[^&\s]*"
)


class RootError(Exception):
    """A landing or lake root that cannot be used (missing, unreachable, not a folder)."""


def redact(text: str) -> str:
    """``text`` with credentials embedded in URLs removed (user:password@, ?sig=..., ...)."""
    text = _USERINFO.sub(lambda m: m.group("scheme") + "***@", str(text))
    return _SECRET_QUERY.sub(lambda m: m.group(1) + "***", text)


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


def protocol(url: str) -> str:
    """The canonical protocol of ``url`` ("s3", "gs", "abfs", ...); "file" for a local path."""
    if "://" not in url:
        return "file"
    proto = url.split("://", 1)[0].lower()
    return _PROTOCOL_ALIASES.get(proto, proto)


def is_remote(url: str) -> bool:
    return protocol(url) != "file"


def get_fs(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """(filesystem, path inside it) for a local path or URL.

    ``gs://`` uses gcsfs's JSON-API filesystem (``gcsfs.core.GCSFileSystem``), not the
    ``ExtendedGcsFileSystem`` gcsfs >= 2025.x registers by default: that one first asks the
    Storage Control gRPC API (over TLS) whether a bucket is zonal or hierarchical, which costs a
    60 s time-out on every bucket where the API is not reachable (emulators, private endpoints);
    a billing lake needs none of its zonal/HNS features (docs/remote_storage.md).
    """
    if "://" not in url:
        url = str(Path(url).resolve())
    if protocol(url) == "gs":
        from gcsfs.core import GCSFileSystem

        fs = GCSFileSystem(**storage_options(url))
        return fs, fs._strip_protocol(url)
    return url_to_fs(url, **storage_options(url))


def join(root: str, rel: str) -> str:
    """``root/rel`` as a local path or a URL (a URL keeps its scheme, so DuckDB can read it)."""
    if is_remote(root):
        return f"{root.rstrip('/')}/{rel.lstrip('/')}"
    return str(Path(root) / rel)


def exists(url: str) -> bool:
    """True when the file or folder at a local path or URL exists (a fresh look, no cache)."""
    if not is_remote(url):
        return Path(url).exists()
    fs, path = get_fs(url)
    fs.invalidate_cache(path)
    return bool(fs.exists(path))


def modified(url: str) -> dt.datetime | None:
    """When the file at ``url`` was last written (UTC), or None when it is missing or the store
    does not say."""
    if not is_remote(url):
        p = Path(url)
        return dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC) if p.exists() else None
    fs, path = get_fs(url)
    fs.invalidate_cache(path)
    try:
        when = fs.modified(path)
    except (FileNotFoundError, NotImplementedError):
        return None
    if not isinstance(when, dt.datetime):
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def version(url: str) -> tuple[str, int]:
    """A fingerprint that changes when the file at ``url`` is replaced: (mtime/etag, size)."""
    if not is_remote(url):
        st = Path(url).stat()
        return str(st.st_mtime_ns), st.st_size
    fs, path = get_fs(url)
    fs.invalidate_cache(path)
    info = fs.info(path)
    keys = ("ETag", "etag", "generation", "mtime", "LastModified", "last_modified", "created")
    stamp = next((info[k] for k in keys if info.get(k)), "")
    return str(stamp), int(info.get("size") or 0)


def is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


@dataclass(frozen=True)
class RemoteFile:
    """A file under a root: its full path in ``fs``, path relative to the root, fingerprint."""

    path: str
    rel: str
    size: int
    fingerprint: str
    link: bool = False  # a symbolic link (local roots): refused, never followed or copied


def list_files(
    root: str, *, must_exist: bool = False
) -> tuple[fsspec.AbstractFileSystem, list[RemoteFile]]:
    """Every file under ``root`` (recursive), with a change fingerprint (size + mtime/etag).

    Local roots are walked without following symbolic links: a link (to a file or a folder,
    inside or outside the root) is listed with ``link=True`` so ingest refuses it by name.
    A root that is missing or unreachable raises RootError (credentials redacted).
    """
    try:
        fs, base = get_fs(root)
        exists = fs.exists(base)
    except Exception as exc:  # noqa: BLE001 - any backend error means "unreachable"
        raise RootError(f"cannot reach {redact(root)}: {type(exc).__name__}") from None
    if not exists:
        if must_exist:
            raise RootError(f"the root {redact(root)} does not exist or cannot be read")
        return fs, []
    if is_local(fs):
        return fs, _walk_local(Path(base))
    out: list[RemoteFile] = []
    base = base.rstrip("/")
    try:
        found = sorted(fs.find(base, detail=True).items())
    except Exception as exc:  # noqa: BLE001
        raise RootError(f"cannot list {redact(root)}: {type(exc).__name__}") from None
    for path, info in found:
        if info.get("type") == "directory":
            continue
        rel = path[len(base) :].lstrip("/")
        if ".." in rel.split("/"):
            continue
        stamp = (
            info.get("ETag") or info.get("etag") or info.get("mtime") or info.get("LastModified")
        )
        stamp = stamp or info.get("last_modified") or info.get("updated") or ""
        out.append(RemoteFile(path, rel, int(info.get("size") or 0), f"{info.get('size')}:{stamp}"))
    return fs, out


def _walk_local(base: Path) -> list[RemoteFile]:
    if base.is_symlink():
        raise RootError(f"the root {base} is a symbolic link: give its target instead")
    if not base.is_dir():
        raise RootError(f"the root {base} is not a folder")
    out: list[RemoteFile] = []
    for folder, dirs, names in os.walk(base, followlinks=False):
        here = Path(folder)
        for d in list(dirs):
            if (here / d).is_symlink():
                dirs.remove(d)
                names.append(d)  # reported as a refused link
        for name in names:
            p = here / name
            rel = p.relative_to(base).as_posix()
            st = p.lstat()
            link = p.is_symlink()
            stamp = "link" if link else f"{st.st_size}:{st.st_mtime}"
            out.append(RemoteFile(str(p), rel, 0 if link else st.st_size, stamp, link))
    return sorted(out, key=lambda f: f.rel)


def inside_root(root: str, path: str) -> bool:
    """True when local ``path`` resolves (links followed) to a place inside ``root``."""
    base = Path(root).resolve()
    try:
        Path(path).resolve(strict=True).relative_to(base)
    except (OSError, ValueError):
        return False
    return True


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
