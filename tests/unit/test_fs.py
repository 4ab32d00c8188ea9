"""Remote filesystem options."""

from ingest.fs import storage_options


def test_storage_options_flat_or_per_protocol_with_aliases(monkeypatch):
    monkeypatch.setenv(
        "SIBYL_STORAGE_OPTIONS", '{"gcs": {"token": "anon"}, "az": {"account_name": "a"}}'
    )
    assert storage_options("gs://b/x") == {"token": "anon"}
    assert storage_options("abfs://c/x") == {"account_name": "a"}
    assert storage_options("s3://b/x") == {}
    assert storage_options("/local/path") == {}
    monkeypatch.setenv("SIBYL_STORAGE_OPTIONS", '{"endpoint_url": "http://127.0.0.1:9"}')
    assert storage_options("s3://b/x") == {"endpoint_url": "http://127.0.0.1:9"}


def test_ingested_periods_since_reads_run_reports(tmp_path):
    import json

    from ingest.pipeline import ingested_periods_since

    runs = tmp_path / "_state" / "runs"
    runs.mkdir(parents=True)
    for finished, periods in (
        ("2026-03-01T05:00:00", ["2026-02"]),
        ("2026-03-02T05:00:00", ["2026-03", "2026-02"]),
    ):
        (runs / f"{finished}.json").write_text(
            json.dumps(
                {"finished_at": finished, "partitions": [{"billing_period": p} for p in periods]}
            )
        )
    assert ingested_periods_since(str(tmp_path), None) == {"2026-02", "2026-03"}
    assert ingested_periods_since(str(tmp_path), "2026-03-01T12:00:00") == {"2026-02", "2026-03"}
    assert ingested_periods_since(str(tmp_path), "2026-03-02T12:00:00") == set()
    assert ingested_periods_since(str(tmp_path / "missing"), None) == set()
