"""Remote filesystem options."""


from ingest.fs import storage_options


def test_storage_options_flat_or_per_protocol_with_aliases(monkeypatch):
    monkeypatch.setenv("SIBYL_STORAGE_OPTIONS", '{"gcs": {"token": "anon"}, "az": {"account_name": "a"}}')
    assert storage_options("gs://b/x") == {"token": "anon"}
    assert storage_options("abfs://c/x") == {"account_name": "a"}
    assert storage_options("s3://b/x") == {}
    assert storage_options("/local/path") == {}
    monkeypatch.setenv("SIBYL_STORAGE_OPTIONS", '{"endpoint_url": "http://127.0.0.1:9"}')
    assert storage_options("s3://b/x") == {"endpoint_url": "http://127.0.0.1:9"}
