import json

from ingest.fs import RemoteFile
from orchestration.lib.sensing import (
    changed_files,
    dbt_build_args,
    dbt_build_env,
    partitions_for,
    provider_hint,
    rebuild_periods,
)


def rf(rel, fp="1"):
    return RemoteFile(path="/x/" + rel, rel=rel, size=1, fingerprint=fp)


def test_changed_files_detects_new_and_redelivered_only():
    files = [rf("aws/a.parquet", "1"), rf("gcp/b.parquet", "1")]
    changed, cursor = changed_files(files, None)
    assert len(changed) == 2
    changed, cursor2 = changed_files(files, cursor)
    assert changed == []
    changed, _ = changed_files([rf("aws/a.parquet", "2"), rf("gcp/b.parquet", "1")], cursor2)
    assert [f.rel for f in changed] == ["aws/a.parquet"]
    assert json.loads(cursor2) == {"aws/a.parquet": "1", "gcp/b.parquet": "1"}


def test_partitions_from_delivery_paths_and_catalog():
    files = [
        rf("aws/cur2/exp/data/BILLING_PERIOD=2026-03/exp-00001.snappy.parquet"),
        rf("aws/cur2/exp/metadata/BILLING_PERIOD=2026-03/exp-Manifest.json"),
        rf("azure/exports/actual/20260201-20260228/run/part_0_0001.csv"),
        rf("gcp/export/invoice_month=202601/000000000000.parquet"),
        rf("misc/loose.csv"),
        rf("_meta/anomalies.json"),
    ]
    catalog = {"misc/loose.csv": {"provider": "aws", "periods": ["2025-12"]}}
    plan = partitions_for(files, catalog)
    assert plan == {"aws": {"2026-03", "2025-12"}, "azure": {"2026-02"}, "gcp": {"2026-01"}}


def test_unknown_file_requests_full_ingest_for_every_provider():
    plan = partitions_for([rf("drop/unknown.csv")], {})
    # every source of the registry, FOCUS included (ingest.providers.SOURCES)
    assert plan == {"aws": {""}, "gcp": {""}, "azure": {""}, "oci": {""}, "focus": {""}}


def test_provider_hints():
    assert provider_hint("billing/aws/cur/x.parquet") == "aws"
    assert provider_hint("gcp_billing_export_v1/x.parquet") == "gcp"
    assert provider_hint("misc/x.csv") is None


def test_rebuild_periods_incremental_only_with_a_fact_table():
    assert rebuild_periods(["2026-03", "2026-02", "2026-03", ""], has_fact_table=True) == [
        "2026-02",
        "2026-03",
    ]
    assert rebuild_periods(["2026-03"], has_fact_table=False) == []
    assert rebuild_periods([], has_fact_table=True) == []
    assert rebuild_periods([""], has_fact_table=True) == []


def test_a_period_that_is_not_yyyy_mm_builds_everything():
    assert rebuild_periods(["2026-03", "2026-13"], has_fact_table=True) == []
    assert rebuild_periods(["2026-03", "2026-03'; drop"], has_fact_table=True) == []


def test_periods_go_to_dbt_through_the_environment_not_vars():
    # --vars would make dbt re-parse the whole project on every rebuild
    assert dbt_build_env(["2026-02", "2026-03"]) == {"SIBYL_BILLING_PERIODS": "2026-02,2026-03"}
    assert dbt_build_env([]) == {"SIBYL_BILLING_PERIODS": ""}
    assert "--vars" not in dbt_build_args()
    assert dbt_build_args()[0] == "build"
