"""DuckDB over the lake and the published marts wherever they are: a local folder or an
``s3://``, ``gs://``, ``abfs://`` (``az://``) URL.

DuckDB reads remote files through an fsspec filesystem registered on the connection
(``register_filesystem``), so no DuckDB extension (httpfs, azure) is downloaded; the filesystem
and its credentials are the ones ingest uses (``ingest.fs.get_fs``: the cloud's usual
environment variables plus ``SIBYL_STORAGE_OPTIONS``).
"""

from __future__ import annotations

import duckdb

from ingest import fs as lakefs


def register(con: duckdb.DuckDBPyConnection, *roots: str) -> list[str]:
    """Register on ``con`` the filesystem of every remote root (one per protocol); returns the
    protocols registered. Local roots need nothing."""
    done: list[str] = []
    for root in roots:
        proto = lakefs.protocol(root) if root else "file"
        if proto == "file" or proto in done:
            continue
        fs, _ = lakefs.get_fs(root)
        con.register_filesystem(fs)
        done.append(proto)
    return done


def connect(*roots: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that can read files under ``roots`` (local or remote)."""
    con = duckdb.connect()
    try:
        register(con, *roots)
    except Exception as exc:
        con.close()
        # the filesystem's error may quote an endpoint or a key: say only which root failed
        raise lakefs.RootError(
            f"cannot open the storage of {', '.join(lakefs.redact(r) for r in roots)}: "
            f"{type(exc).__name__}"
        ) from None
    return con
