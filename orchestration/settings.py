"""Sibyl's configuration: read from the environment in this one place (mirrored in .env.example).

Plain Python (no Dagster import), so the CLI and the Streamlit app share it. Paths are resolved to
absolute once, because Dagster, dbt and Streamlit run from different working directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.pg_marts import MartSource

REPO_ROOT = Path(__file__).resolve().parents[1]


def is_url(value: str) -> bool:
    """A bucket URL (s3://, gs://, abfs://, ...) rather than a local path."""
    return "://" in value


def path_or_url(value: str) -> str:
    """A URL as given; a local path made absolute (Dagster, dbt and Streamlit run elsewhere)."""
    return value if is_url(value) else str(Path(value).expanduser().resolve())


@dataclass(frozen=True)
class Settings:
    data_dir: str  # local state: the warehouse, users, reports (never a URL)
    landing_root: str  # local folder or s3:// gs:// abfs:// URL the exports land in
    lake_root: str  # where the Parquet lake is written (local or URL)
    warehouse_path: str  # DuckDB warehouse file (dbt target "duckdb")
    marts_dir: str  # published Parquet copies of the marts, for readers
    dbt_project_dir: str
    dbt_target: str
    duckdb_memory_limit: str
    ci_artifacts_root: str = ""  # CI uploads Terraform plan JSON here (local folder or URL)
    policies_dir: str = ""  # cost policies the gate applies to those plans
    price_catalog_dir: str = ""  # price catalog built by the gate/price_catalog asset
    budgets_file: str = ""  # budgets as data (CSV, also a dbt seed)
    webhooks_file: str = ""  # notification webhooks (YAML; secrets from the environment)
    config_dir: str = ""  # the user's organisation configuration (`sibyl config init`); "" = seeds
    storage_root: str = ""  # SIBYL_DATA_DIR when it is a URL (else data_dir): data folders' base
    # postgresql:// URL of a warehouse dbt builds on: readers (cockpit, ML job) read its marts
    # instead of the published Parquet; "" = the Parquet marts (docs/postgres.md)
    warehouse_url: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        # SIBYL_DATA_DIR may be a URL (s3://, gs://, abfs://): landing, lake, published marts
        # and CI artifacts default under it; local state (the DuckDB warehouse, users, reports)
        # then goes to SIBYL_STATE_DIR (default <repo>/data), since DuckDB writes a local file.
        raw = os.environ.get("SIBYL_DATA_DIR", "")
        remote = raw.rstrip("/") if is_url(raw) else ""
        local = os.environ.get("SIBYL_STATE_DIR", "") if remote else raw
        data_dir = Path(local or REPO_ROOT / "data").expanduser().resolve()

        def under(rel: str) -> str:  # the default location of a data folder
            return f"{remote}/{rel}" if remote else str(data_dir / rel)

        return cls(
            data_dir=str(data_dir),
            storage_root=remote or str(data_dir),
            landing_root=path_or_url(os.environ.get("SIBYL_LANDING_ROOT", under("landing"))),
            lake_root=path_or_url(os.environ.get("SIBYL_LAKE_ROOT", under("lake"))),
            warehouse_path=path_or_url(
                os.environ.get("SIBYL_WAREHOUSE", str(data_dir / "warehouse.duckdb"))
            ),
            marts_dir=path_or_url(os.environ.get("SIBYL_MARTS_DIR", under("marts"))),
            dbt_project_dir=str(REPO_ROOT / "dbt_project"),
            dbt_target=os.environ.get("DBT_TARGET", "duckdb"),
            duckdb_memory_limit=os.environ.get("SIBYL_DUCKDB_MEMORY_LIMIT", "2GB"),
            ci_artifacts_root=path_or_url(
                os.environ.get("SIBYL_CI_ARTIFACTS_ROOT", under("ci_artifacts"))
            ),
            policies_dir=path_or_url(
                os.environ.get("SIBYL_POLICIES_DIR", str(REPO_ROOT / "examples" / "policies"))
            ),
            price_catalog_dir=path_or_url(
                os.environ.get("SIBYL_PRICE_CATALOG_BUILD_DIR", str(data_dir / "price_catalog"))
            ),
            # the user's budgets with their configuration; the demo's seed otherwise
            budgets_file=path_or_url(
                os.environ.get(
                    "SIBYL_BUDGETS_FILE",
                    str(Path(os.environ["SIBYL_CONFIG_DIR"]) / "budgets.csv")
                    if os.environ.get("SIBYL_CONFIG_DIR")
                    else str(REPO_ROOT / "dbt_project" / "seeds" / "budgets.csv"),
                )
            ),
            warehouse_url=os.environ.get("SIBYL_WAREHOUSE_URL", ""),
            config_dir=(
                str(Path(os.environ["SIBYL_CONFIG_DIR"]).expanduser().resolve())
                if os.environ.get("SIBYL_CONFIG_DIR")
                else ""
            ),
            webhooks_file=path_or_url(
                os.environ.get(
                    "SIBYL_WEBHOOKS_FILE",
                    str(REPO_ROOT / "examples" / "notifications" / "webhooks.yaml"),
                )
            ),
        )

    def dbt_env(self) -> dict[str, str]:
        """Environment for dbt: where the lake and the warehouse are."""
        return (
            {
                "SIBYL_LAKE_ROOT": self.lake_root,
                "SIBYL_WAREHOUSE": self.warehouse_path,
                "DBT_TARGET": self.dbt_target,
                "SIBYL_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
                # exported back as read, so Settings.from_env() after export_dbt_env() is unchanged
                # (a bucket URL data dir keeps its local state dir beside it)
                "SIBYL_DATA_DIR": self.storage_root or self.data_dir,
            }
            | ({"SIBYL_CONFIG_DIR": self.config_dir} if self.config_dir else {})
            | ({"SIBYL_STATE_DIR": self.data_dir} if is_url(self.storage_root) else {})
        )

    def mart_source(self) -> MartSource:
        """Where readers find the marts (ingest.pg_marts.MartSource): the warehouse's tables when
        ``warehouse_url`` is set, else the published Parquet folder."""
        from ingest.pg_marts import mart_source

        return mart_source(self.marts_dir, self.warehouse_url)

    def export_dbt_env(self) -> None:
        os.environ.update(self.dbt_env())
