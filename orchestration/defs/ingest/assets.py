"""Ingest assets: one per source (each provider's native exports, plus FOCUS), partitioned by
billing period (thin adapters over ingest/). The list comes from the provider registry."""

import hashlib

import dagster as dg

from ingest.fs import list_files
from ingest.pipeline import SOURCES, ingest
from orchestration.defs.partitions import billing_periods, period_of
from orchestration.defs.resources import SibylSettings


@dg.observable_source_asset(
    key=["landing", "landing_files"],
    group_name="ingest",
    description=(
        "The export files in the landing root (local folder or bucket), at the top of the lineage. "
        "Observed as a data version over every file's path and fingerprint (size + mtime/etag), "
        "so a new, changed or removed delivery is visible before anything is ingested."
    ),
)
def landing_files(sibyl: SibylSettings) -> dg.DataVersion:
    _, files = list_files(sibyl.resolved().landing_root)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.rel}\0{f.fingerprint}\n".encode())
    return dg.DataVersion(f"{len(files)}:{digest.hexdigest()[:16]}")


def _ingest_asset(provider: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"raw_{provider}_billing",
        key_prefix=["lake"],
        deps=[landing_files],
        group_name="ingest",
        partitions_def=billing_periods,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"python", "duckdb", "parquet"},
        description=(
            f"{provider.upper()} billing exports from the landing root, validated with "
            if provider != "focus"
            else "FOCUS datasets (any provider) from the landing root, validated with "
            "great-expectations and written to lake/raw/" + provider + "/billing_period=YYYY-MM/. "
            "Bad files are quarantined with a JSON reason; the others load."
        ),
    )
    def _asset(context: dg.AssetExecutionContext, sibyl: SibylSettings) -> dg.MaterializeResult:
        s = sibyl.resolved()
        periods = sorted({period_of(k) for k in context.partition_keys})
        report = ingest(
            s.landing_root,
            s.lake_root,
            providers=[provider],
            periods=periods,
            progress=context.log.info,
            duckdb_memory_limit=s.duckdb_memory_limit,
        )
        for f in report.quarantined:
            context.log.warning(f"quarantined {f.rel}: {f.reason}")
        billed = {
            f"{prov} {period}": float(total)
            for (prov, period), total in sorted(report.billed_by_provider_period().items())
        }
        return dg.MaterializeResult(
            metadata={
                "files_loaded": report.count("loaded"),
                "files_quarantined": report.count("quarantined"),
                "files_superseded": report.count("superseded"),
                "quarantined": dg.MetadataValue.json(
                    [{"file": f.rel, "reason": f.reason} for f in report.quarantined]
                ),
                "rows": sum(p.rows for p in report.partitions),
                "lake_files": len(report.partitions),
                "billed_cost_by_period": dg.MetadataValue.json(billed),
                "run_id": report.run_id,
            }
        )

    return _asset


INGEST_ASSETS = [_ingest_asset(source) for source in SOURCES]

ingest_job = dg.define_asset_job(
    "ingest_exports",
    selection=dg.AssetSelection.assets(*INGEST_ASSETS),
    partitions_def=billing_periods,
)
