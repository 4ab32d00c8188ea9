"""dbt-duckdb plugin: the lake root may be an ``s3://``, ``gs://`` or ``abfs://`` URL.

Declared in ``dbt_project/profiles.yml`` (duckdb output, ``plugins:``). On every connection dbt
opens it registers the lake's fsspec filesystem (``ingest.duckdb_fs.register``), so the models'
``glob()``/``read_parquet()`` over ``var('lake_root')`` read the remote lake with hive
partitions; a local lake registers nothing. The warehouse file itself stays local.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from ingest.duckdb_fs import register


class Plugin(BasePlugin):  # type: ignore[misc]  # dbt-duckdb ships no type information
    roots: tuple[str, ...] = ()

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        roots = plugin_config.get("roots") or []
        self.roots = tuple(str(r) for r in roots if r)

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register(conn, *self.roots)
