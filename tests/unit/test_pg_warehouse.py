"""The Postgres warehouse's plain parts: the URL, dbt's environment, which lake files make which
table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pg_load import config_files, plan_tables
from ingest.pg_warehouse import dbt_env, parse_target


def test_the_url_is_parsed_and_the_password_stays_out_of_the_printable_form() -> None:
    t = parse_target("postgresql://bob:s%40cret@db.example:6543/finops")
    assert (t.host, t.port, t.user, t.database, t.password) == (
        "db.example",
        6543,
        "bob",
        "finops",
        "s@cret",
    )
    assert "cret" not in t.redacted and t.redacted == "postgresql://bob@db.example:6543/finops"
    env = dbt_env(t)
    assert env["DBT_TARGET"] == "postgres" and env["SIBYL_PG_PORT"] == "6543"
    assert env["SIBYL_PG_PASSWORD"] == "s@cret"
    assert parse_target("postgresql://ann@h/d").port == 5432


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/d", "must start with postgresql://"),
        ("postgresql:///d", "lacks host, user"),
        ("postgresql://u@h:70000/d", "port is out of range"),
        ("postgresql://u:hunter2@h/", "lacks dbname"),
    ],
)
def test_bad_urls_are_refused_without_echoing_a_password(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        parse_target(url)
    assert "hunter2" not in str(err.value)


def test_lake_files_group_into_tables_and_symlinks_are_skipped(tmp_path: Path) -> None:
    def touch(rel: str) -> Path:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"")
        return p

    touch("raw/aws/billing_period=2026-01/aws_cur2__a.parquet")
    touch("raw/aws/billing_period=2026-02/aws_cur2__a.parquet")
    touch("raw/azure/billing_period=2026-01/azure_cost_details__x.parquet")
    touch("ml/budget_status/as_of=2026-01-02/status.parquet")
    touch("ai/charges/part-1.parquet")
    outside = touch("elsewhere/aws_cur2__evil.parquet")
    (tmp_path / "raw/aws/billing_period=2026-03").mkdir()
    (tmp_path / "raw/aws/billing_period=2026-03/aws_cur2__b.parquet").symlink_to(outside)
    plan = {t.name: (len(t.files), t.raw) for t in plan_tables(tmp_path)}
    assert plan == {
        "ai__charges": (1, False),
        "ml__budget_status": (1, False),
        "raw__aws__aws_cur2": (2, True),
        "raw__azure__azure_cost_details": (1, True),
    }


def test_registered_deliveries_load_with_their_manifests(tmp_path: Path) -> None:
    """A zero-copy delivery (raw/<src>/billing_period=P/<variant>__<dataset>/<digest>.parquet)
    joins its variant's table with the manifests that hold its lineage; a symlinked one does not."""
    for rel in ("raw/aws/billing_period=2026-01/aws_cur2__a.parquet",
                "raw/aws/billing_period=2026-02/aws_cur2__a/0f3c.parquet",
                "_control/aws/billing_period=2026-02/aws_cur2__a.json",
                "_control/aws/billing_period=2026-01/aws_cur2__a.json",
                "elsewhere/x.parquet"):  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    (tmp_path / "raw/aws/billing_period=2026-03/aws_cur2__b").mkdir(parents=True)
    (tmp_path / "raw/aws/billing_period=2026-03/aws_cur2__b/evil.parquet").symlink_to(
        tmp_path / "elsewhere/x.parquet"
    )
    outside = tmp_path.parent / f"{tmp_path.name}-outside"  # a symlinked folder leading out
    (outside / "aws_cur2__c").mkdir(parents=True, exist_ok=True)
    (outside / "aws_cur2__c" / "out.parquet").write_bytes(b"")
    (tmp_path / "raw/aws/billing_period=2026-04").symlink_to(outside, target_is_directory=True)
    (table,) = plan_tables(tmp_path)
    assert table.name == "raw__aws__aws_cur2" and table.raw
    assert [Path(f).name for f in table.files] == ["aws_cur2__a.parquet"]
    assert [Path(f).name for f in table.registered] == ["0f3c.parquet"]
    assert [Path(f).parent.name for f in table.manifests] == [
        "billing_period=2026-01",
        "billing_period=2026-02",
    ]


def test_only_plain_config_names_load(tmp_path: Path) -> None:
    for name in ("teams.csv", "business_units.csv", "Bad Name.csv", "x;drop.csv", "notes.txt"):
        (tmp_path / name).write_text("a\n1\n")
    assert [p.name for p in config_files(tmp_path)] == ["business_units.csv", "teams.csv"]


@pytest.mark.parametrize(
    ("schema", "name"), [("marts", 'x"; drop table y; --'), ("marts", "Upper"), ("a.b", "t")]
)
def test_replace_table_refuses_names_that_are_not_plain_before_connecting(
    schema: str, name: str
) -> None:
    import pyarrow as pa

    from ingest.pg_load import replace_table

    # no server listens on port 1: a name that got through would fail on connecting instead
    with pytest.raises(ValueError, match="not a table name"):
        replace_table("postgresql://u@127.0.0.1:1/db", schema, name, pa.table({"x": [1]}))
