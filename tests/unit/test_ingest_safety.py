"""Safety and robustness of ingest on hostile or awkward inputs: file names that look like SQL,
symbolic links, duplicate headers, mixed currencies, quotes in credits and labels, credentials in
URLs, short rows, mixed line endings, orphaned partitions, exit codes."""

from __future__ import annotations

import csv
import json
import os
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from app.cli import main
from ingest.fs import redact
from ingest.pipeline import ingest
from ingest.providers import PROVIDERS, SOURCES, provider_of_focus, provider_of_focus_sql
from tests.conftest import FIXTURES

CUR = FIXTURES / "aws/sample-anonymous-aws-export-dataset.csv"
GCP = FIXTURES / "gcp/2022-08-01_5.csv"


def cur_rows(n: int = 10) -> tuple[list[str], list[list[str]]]:
    with open(CUR, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [r for _, r in zip(range(n), reader, strict=False)]


def write(path: Path, header: list[str], rows: list[list[str]], newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator=newline)
        w.writerow(header)
        w.writerows(rows)
    return path


def expected_billed(rows: list[list[str]], header: list[str]) -> Decimal:
    i = header.index("lineItem/UnblendedCost")
    return sum((Decimal(r[i]) for r in rows), Decimal(0))


def test_a_file_name_that_looks_like_sql_is_only_a_name(tmp_path):
    marker = tmp_path.parent / f"sibyl-pwned-{uuid.uuid4().hex}.csv"  # outside the landing
    name = f"x'); copy (select 1) to '{marker}'; --\".csv"
    header, rows = cur_rows()
    write(tmp_path / "landing" / name, header, rows)
    report = ingest(str(tmp_path / "landing"), str(tmp_path / "lake"))
    [f] = report.files
    assert f.status == "loaded", f.reason
    assert not marker.exists()
    assert Decimal(f.billed_total) == expected_billed(rows, header)
    lake = next((tmp_path / "lake/raw/aws").rglob("*.parquet"))
    src = duckdb.sql(f"select distinct _source_file from read_parquet('{lake}')").fetchall()
    assert src == [(name,)]


def test_symlinks_are_refused_and_never_copied(tmp_path):
    land = tmp_path / "landing"
    header, rows = cur_rows()
    write(land / "good.csv", header, rows)
    outside = write(tmp_path / "outside" / "secret.csv", header, rows)
    (land / "aws").mkdir()
    os.symlink(outside, land / "aws" / "link.csv")
    os.symlink("/etc/passwd", land / "passwd.csv")
    os.symlink(tmp_path / "outside", land / "linked_folder")
    report = ingest(str(land), str(tmp_path / "lake"))
    status = {f.rel: f for f in report.files}
    assert status["good.csv"].status == "loaded"
    for rel in ("aws/link.csv", "passwd.csv", "linked_folder"):
        f = status[rel]
        assert f.status == "quarantined" and "symbolic link refused" in f.reason, rel
        assert f.quarantine_path is None
    quarantine = tmp_path / "lake" / "quarantine"
    copied = [p for p in quarantine.rglob("*") if p.is_file() and not p.name.endswith(".json")]
    assert copied == []
    assert not any("root:" in p.read_text() for p in quarantine.rglob("*.json"))
    # only good.csv reached the lake
    assert [p.source_files for p in report.partitions] == [["good.csv"]]


def test_duplicate_header_is_refused_and_case_variants_are_kept(tmp_path):
    header, rows = cur_rows()
    write(
        tmp_path / "landing/dup.csv", [*header, "lineItem/UnblendedCost"], [r + ["9"] for r in rows]
    )
    write(
        tmp_path / "landing/case.csv",
        [*header, "lineitem/unblendedcost"],
        [r + ["9"] for r in rows],
    )
    report = ingest(str(tmp_path / "landing"), str(tmp_path / "lake"))
    status = {f.rel: f for f in report.files}
    assert status["dup.csv"].status == "quarantined"
    assert (
        "duplicate column name(s) in the header: 'lineItem/UnblendedCost'"
        in status["dup.csv"].reason
    )
    case = status["case.csv"]
    assert case.status == "loaded" and any(
        "differs from another only in case" in n for n in case.notes
    )
    # the exact spelling is the cost column: the case variant's 9s are not summed
    assert Decimal(case.billed_total) == expected_billed(rows, header)


def test_mixed_currencies_reconcile_per_currency(tmp_path):
    header, rows = cur_rows()
    cur = header.index("lineItem/CurrencyCode")
    for r in rows[:4]:
        r[cur] = "EUR"
    write(tmp_path / "landing/mixed.csv", header, rows)
    report = ingest(str(tmp_path / "landing"), str(tmp_path / "lake"))
    [part] = report.partitions
    by_currency = {t.currency: Decimal(t.billed_total) for t in part.totals}
    assert set(by_currency) == {"EUR", "USD"}
    assert by_currency["EUR"] == expected_billed(rows[:4], header)
    assert by_currency["USD"] == expected_billed(rows[4:], header)
    control = json.loads(next((tmp_path / "lake/_control").rglob("*.json")).read_text())
    assert "EUR,USD" not in json.dumps(control)


def test_quotes_in_gcp_credit_names_and_label_values(tmp_path):
    with open(GCP, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows[0]["credits"] = (
        "[{'name': \"Partner's credit\", 'amount': -0.5, 'full_name': None, 'id': 'x', 'type': 'PROMOTION'}]"
    )
    rows[0]["labels"] = "[{'key': 'owner', 'value': \"o'neil\"}]"
    land = tmp_path / "landing/gcp.csv"
    land.parent.mkdir(parents=True)
    with open(land, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    report = ingest(str(tmp_path / "landing"), str(tmp_path / "lake"))
    [f] = report.files
    assert f.status == "loaded", f.reason
    import ast

    expected = sum(
        (
            Decimal(r["cost"])
            + sum(
                (Decimal(str(c["amount"])) for c in ast.literal_eval(r["credits"] or "[]")),
                Decimal(0),
            )
            for r in rows
        ),
        Decimal(0),
    )
    assert Decimal(f.billed_total) == expected
    lake = next((tmp_path / "lake/raw/gcp").rglob("*.parquet"))
    credits, labels = (
        duckdb.connect()
        .execute(f"select credits, labels from read_parquet('{lake}') where _source_row = 1")
        .fetchone()
    )
    assert json.loads(credits)[0]["name"] == "Partner's credit"
    assert json.loads(labels) == [{"key": "owner", "value": "o'neil"}]


def test_credentials_in_urls_are_redacted():
    assert redact("s3://AKIA123:secret@bucket/x") == "s3://***@bucket/x"
    text = redact("abfs://c@acct.dfs.core.windows.net/x?sv=1&sig=abc%2F&se=2")
    assert "abc" not in text and "sig=***" in text


def test_short_rows_are_padded_and_noted_and_mixed_line_endings_normalised(tmp_path):
    header, rows = cur_rows()
    write(tmp_path / "landing/long_header.csv", [*header, "extra/Column"], rows)
    write(tmp_path / "landing/crlf.csv", header, rows, newline="\n")
    crlf = tmp_path / "landing/crlf.csv"
    data = crlf.read_bytes().split(b"\n")
    crlf.write_bytes(b"\r\n".join(data[:3]) + b"\n" + b"\n".join(data[3:]))
    report = ingest(str(tmp_path / "landing"), str(tmp_path / "lake"))
    status = {f.rel: f for f in report.files}
    long = status["long_header.csv"]
    assert long.status == "loaded", long.reason
    assert any("padded with nulls (extra/Column empty)" in n for n in long.notes)
    assert Decimal(long.billed_total) == expected_billed(rows, header)
    mixed = status["crlf.csv"]
    assert mixed.status == "loaded" and mixed.rows == len(rows)
    assert any("line endings" in n for n in mixed.notes)


def test_orphans_are_reported_and_removed_only_by_prune(tmp_path, capsys):
    header, rows = cur_rows()
    land, lake = tmp_path / "landing", tmp_path / "lake"
    write(land / "a.csv", header, rows)
    assert main(["ingest", "--landing", str(land), "--lake", str(lake)]) == 0
    parts = list((lake / "raw").rglob("*.parquet"))
    assert len(parts) == 1
    (land / "a.csv").unlink()
    write(land / "b/other.csv", header, rows[:2])
    report = ingest(str(land), str(lake))
    assert report.orphans == [parts[0].relative_to(lake).as_posix()]
    assert parts[0].exists()  # never silently deleted
    assert main(["ingest", "--landing", str(land), "--lake", str(lake), "--prune"]) == 0
    assert not parts[0].exists()
    assert "ORPHANED" in capsys.readouterr().out


def test_exit_codes(tmp_path, capsys):
    header, rows = cur_rows()
    write(tmp_path / "landing/good.csv", header, rows)
    lake = str(tmp_path / "lake")
    assert main(["ingest", "--landing", str(tmp_path / "landing"), "--lake", lake]) == 0
    (tmp_path / "landing/bad.csv").write_text("date,amount\n2024-01-01,3\n")
    assert main(["ingest", "--landing", str(tmp_path / "landing"), "--lake", lake]) == 1
    capsys.readouterr()
    assert main(["ingest", "--landing", str(tmp_path / "missing"), "--lake", lake]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]
    assert main(["ingest", "--landing", "s3://AKIA:topsecret@nobucket/x", "--lake", lake]) == 2
    assert "topsecret" not in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "--provider", "nope"])
    assert exc.value.code == 2


def test_provider_registry_is_the_one_list():
    assert PROVIDERS == ("aws", "gcp", "azure", "oci") and (*PROVIDERS, "focus") == SOURCES
    con = duckdb.connect()
    for name in ("Amazon Web Services", "Microsoft", "Google Cloud", "Oracle", "ACME Co", "", None):
        sql = con.execute(f"select {provider_of_focus_sql('$n')}", {"n": name}).fetchone()[0]
        assert sql == provider_of_focus(name), name
    from orchestration.defs.ingest.assets import INGEST_ASSETS

    assert [a.key.path[-1] for a in INGEST_ASSETS] == [f"raw_{s}_billing" for s in SOURCES]
    models = Path(__file__).resolve().parents[2] / "dbt_project/models/intermediate/billing"
    for p in PROVIDERS:
        assert (models / f"int_{p}_charges_mapped.sql").exists(), p
