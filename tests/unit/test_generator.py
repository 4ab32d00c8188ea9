import datetime as dt
import hashlib
import json

import duckdb
import pyarrow.parquet as pq

from ingest.samples import generate
from ingest.samples.common import months_ending


def digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    kw = dict(end_date=dt.date(2026, 3, 10), months=2, scale=0.2)
    generate(a, seed=1, **kw)
    generate(b, seed=1, **kw)
    generate(c, seed=2, **kw)
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)


def test_months_ending_partial_last_month():
    cal = months_ending(dt.date(2026, 3, 10), 13)
    assert [m.key for m in cal][:2] == ["2025-03", "2025-04"] and cal[-1].key == "2026-03"
    assert cal[-1].days == 10 and cal[0].days == 31


def test_delivery_layout_and_formats(sample_landing):
    months = {p.name for p in sample_landing.glob("aws/cur2/sibyl-cur2/data/*")}
    assert months == {"BILLING_PERIOD=2026-08", "BILLING_PERIOD=2026-09", "BILLING_PERIOD=2026-10"}
    manifest = json.loads(
        next(
            sample_landing.glob(
                "aws/cur2/sibyl-cur2/metadata/BILLING_PERIOD=2026-09/*-Manifest.json"
            )
        ).read_text()
    )
    assert manifest["dataFiles"] and manifest["exportName"] == "sibyl-cur2"
    schema = pq.read_schema(next(sample_landing.glob("aws/cur2/sibyl-cur2/data/*/*.parquet")))
    for col in ("resource_tags", "product", "cost_category", "discount"):
        assert str(schema.field(col).type).startswith("map<"), col
    azure_csv = next(sample_landing.glob("azure/exports/sibyl-ea-actual/*/*/part_0_0001.csv"))
    assert azure_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert (azure_csv.parent / "manifest.json").exists()
    anomalies = json.loads((sample_landing / "_meta" / "anomalies.json").read_text())["anomalies"]
    assert {a["provider"] for a in anomalies} == {"aws", "gcp", "azure"}


def test_cur_has_every_line_item_type_and_string_accounts(sample_landing):
    con = duckdb.connect()
    rel = f"read_parquet('{sample_landing}/aws/cur2/*/data/*/*.parquet')"
    types = {
        r[0] for r in con.execute(f"select distinct line_item_line_item_type from {rel}").fetchall()
    }
    assert {
        "Usage",
        "Tax",
        "Fee",
        "SavingsPlanCoveredUsage",
        "SavingsPlanNegation",
        "SavingsPlanRecurringFee",
        "DiscountedUsage",
        "RIFee",
    } <= types
    accounts = {
        r[0]
        for r in con.execute(f"select distinct line_item_usage_account_id from {rel}").fetchall()
    }
    assert "012345678901" in accounts  # leading zero kept: account ids are strings
    # negations cancel covered usage exactly
    net = con.execute(f"""select sum(line_item_unblended_cost) from {rel}
        where line_item_line_item_type in ('SavingsPlanCoveredUsage','SavingsPlanNegation')""").fetchone()[
        0
    ]
    assert abs(net) < 1e-6


def test_messy_tags_are_messy(sample_landing):
    con = duckdb.connect()
    keys = {
        r[0]
        for r in con.execute(
            f"select distinct unnest(map_keys(resource_tags)) from read_parquet('{sample_landing}/aws/cur2/*/data/*/*.parquet')"
        ).fetchall()
    }
    assert {"user_Team", "user_team"} <= keys or {"user_owner-team", "user_team"} <= keys
    untagged = con.execute(
        f"select count(*) from read_parquet('{sample_landing}/aws/cur2/*/data/*/*.parquet') where cardinality(resource_tags) = 0"
    ).fetchone()[0]
    assert untagged > 0


def test_aws_rows_sizes_the_cur(tmp_path):
    s = generate(
        tmp_path, end_date=dt.date(2026, 1, 31), months=1, aws_rows=20_000, providers=("aws",)
    )
    assert 15_000 <= s.rows["aws"] <= 30_000
