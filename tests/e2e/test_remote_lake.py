"""The whole pipeline on object storage, once per cloud: landing, lake and published marts on
``s3://`` (moto server), ``abfs://`` (Azurite) and ``gs://`` (gcp-storage-emulator), each emulator
started on 127.0.0.1 on a free port (tests/e2e/storage_servers.py).

SIBYL_DATA_DIR is the bucket's URL, so the settings put landing, lake and marts there and the
DuckDB warehouse in a local state folder. Real exports are uploaded → ingest → dbt build (DuckDB
reading the lake through fsspec, registered by the profile's plugin) → publish → the cockpit's
``Marts`` and the ML job's reader read the published mart from the bucket. The mart's billed
totals must equal a Decimal sum of the uploaded files computed by tests/reference_reader.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from app.cockpit.queries.core import MartMissing, Marts
from iac_gate.cli import main as gate_main
from iac_gate.rates import load_rates
from ingest.pipeline import ingest
from models_ml.runs import daily_actuals
from orchestration.lib.publish import publish_marts
from orchestration.settings import Settings
from tests.conftest import FIXTURES, run_dbt
from tests.e2e.storage_servers import (
    Store,
    azurite_server,
    gcs_emulator,
    moto_server,
    use_bucket_data_dir,
)
from tests.gate_plans import change, plan
from tests.reference_reader import billed_totals

pytestmark = pytest.mark.e2e

# Real exports of three clouds (tests/fixtures/ATTRIBUTION.md), each read alone by the reference
LANDED = (
    "aws/sample-anonymous-aws-export-dataset.csv",
    "gcp/2022-08-01_5.csv",
    "oci/reports_cost-csv_0001000000603747.csv",
)
# landed as Parquet (converted from the real CSV, every value kept as its text), so the zero-copy
# path (a registered delivery, lineage added at read time) runs on object storage too; the
# reference totals still read the CSV
AS_PARQUET = frozenset({"aws/sample-anonymous-aws-export-dataset.csv"})
BUCKET = "sibyl-billing"


def landed_name(rel: str) -> str:
    return rel.removesuffix(".csv") + ".parquet" if rel in AS_PARQUET else rel


PUBLISHED = ("fct_daily_costs", "fct_reconciliation", "fct_ingest_files")


def _server(backend: str, tmp_path: Path) -> AbstractContextManager[Store]:
    if backend == "s3":
        return moto_server()
    if backend == "abfs":
        return azurite_server(tmp_path / "azurite")
    return gcs_emulator()


def expected_ratios(
    table: list[dict[str, Any]], window_days: int = 90, min_list: Decimal = Decimal(100)
) -> dict[tuple[str, ...], Decimal]:
    """What `--rates warehouse` should say, summed here in Decimal from the mart's rows (read by
    the test's own client with pyarrow): effective / list cost of USD usage over the last
    ``window_days`` days, per provider × category × region, provider × category and provider."""
    usage = [r for r in table if r["charge_category"] == "Usage" and r["billing_currency"] == "USD"]
    last = max(r["charge_date"] for r in usage if r["charge_date"] is not None)
    first = last - dt.timedelta(days=window_days)
    sums: dict[tuple[str, ...], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in usage:
        if r["charge_date"] is None or r["charge_date"] <= first:
            continue
        key = (r["provider"], r["service_category"] or "", r["region_id"] or "")
        for k in (key, key[:2], key[:1]):
            sums[k][0] += Decimal(r["effective_cost"] or 0)
            sums[k][1] += Decimal(r["list_cost"] or 0)
    return {
        k: (eff / lst).quantize(Decimal("0.0001"))
        for k, (eff, lst) in sums.items()
        if lst >= min_list and eff >= 0
    }


def reference_totals() -> dict[tuple[str, str, str], Decimal]:
    """Billed cost per (provider, YYYY-MM, currency) of the landed files, read independently."""
    out: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for rel in LANDED:
        provider = rel.split("/", 1)[0]
        for (period, currency), v in billed_totals(FIXTURES / rel).items():
            out[(provider, period, currency)] += v
    return dict(out)


@pytest.fixture(params=["s3", "abfs", "gs"])
def remote(request, tmp_path, monkeypatch) -> Iterator[tuple[Store, Settings]]:
    """An emulator with a bucket holding the landed exports, and Sibyl's settings pointing at it."""
    if request.param == "abfs":
        request.getfixturevalue("azurite")  # installs Azurite from npm on first use
    with _server(request.param, tmp_path) as store:
        fs = store.filesystem()
        fs.mkdir(BUCKET)
        for rel in LANDED:
            local = FIXTURES / rel
            if rel in AS_PARQUET:
                local = tmp_path / Path(landed_name(rel)).name
                with duckdb.connect() as con:
                    con.execute(
                        "copy (select * from read_csv($src, header = true, all_varchar = true))"
                        f" to '{local}' (format parquet)",  # noqa: S608 - pytest's own tmp path
                        {"src": str(FIXTURES / rel)},
                    )
            fs.put_file(str(local), f"{BUCKET}/landing/{landed_name(rel)}")
        use_bucket_data_dir(store, BUCKET, tmp_path / "state", monkeypatch)
        yield store, Settings.from_env()


def test_landing_lake_and_marts_on_object_storage(remote, tmp_path, capsys):
    store, s = remote
    root = f"{store.scheme}://{BUCKET}"
    assert (s.landing_root, s.lake_root, s.marts_dir) == (
        f"{root}/landing",
        f"{root}/lake",
        f"{root}/marts",
    )
    assert s.warehouse_path == str(tmp_path / "state" / "warehouse.duckdb")  # stays local

    report = ingest(s.landing_root, s.lake_root, work_dir=tmp_path, zero_copy=True)
    assert {f.rel: f.status for f in report.files} == {landed_name(r): "loaded" for r in LANDED}

    Path(s.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    # the models (and their dbt tests) behind the marts read here: every lake reader runs
    # (raw Parquet per provider, control totals and run reports as JSON); the other marts are
    # built from these in the local-lake e2e tests
    run_dbt(
        s.lake_root, s.warehouse_path, "build", "--indirect-selection", "cautious",
        "--select", *(f"+{m}" for m in PUBLISHED),
    )  # fmt: skip
    rows = publish_marts(s.warehouse_path, s.marts_dir, PUBLISHED)
    assert rows["fct_daily_costs"] > 0 and rows["fct_ingest_files"] == len(LANDED)

    fs = store.filesystem()
    fs.invalidate_cache()
    assert fs.glob(f"{BUCKET}/lake/raw/gcp/billing_period=2022-08/*.parquet")
    # the Parquet delivery is registered as delivered, not rewritten
    assert fs.glob(f"{BUCKET}/lake/raw/aws/billing_period=*/*__*/*.parquet")
    assert not fs.glob(f"{BUCKET}/lake/raw/aws/billing_period=*/*.parquet")
    assert fs.exists(f"{BUCKET}/marts/fct_daily_costs.parquet")
    assert not Path(tmp_path / "state" / "marts").exists()  # nothing published locally

    marts = Marts(s.marts_dir)
    got = marts.query(
        """select provider, strftime(billing_period, '%Y-%m'), billing_currency, sum(billed_cost)
           from read_parquet($fct_daily_costs) group by all""",
        marts=("fct_daily_costs",),
    )
    expected = reference_totals()
    assert {(p, m, c): round(v, 8) for p, m, c, v in got} == {
        k: round(v, 8) for k, v in expected.items()
    }
    reconciled = marts.query(
        "select bool_and(is_reconciled), count(*) from read_parquet($fct_reconciliation)",
        marts=("fct_reconciliation",),
    )
    assert reconciled == [(True, len(expected))]
    # a team-scoped user reads the same remote file through the same scope rules
    assert Marts(s.marts_dir, teams=("no-such-team",)).query(
        "select count(*) from read_parquet($fct_daily_costs)", marts=("fct_daily_costs",)
    ) == [(0,)]
    with pytest.raises(MartMissing):
        marts.query("select * from read_parquet($fct_iac_checks)", marts=("fct_iac_checks",))

    # the ML jobs read the published mart from the bucket too (daily effective cost per scope)
    by_provider = {
        k: sum(days.values(), Decimal(0))
        for k, days in daily_actuals(s.marts_dir, ("provider",)).items()
    }
    effective = marts.query(
        """select provider, billing_currency, sum(effective_cost)
           from read_parquet($fct_daily_costs) where charge_date is not null group by all""",
        marts=("fct_daily_costs",),
    )
    assert {("provider", p, c): v for p, c, v in effective} == by_provider

    # the gate's `--rates warehouse` reads the same published mart from the bucket. The sample
    # AWS account spends cents (free tier), so the slices' floor of list cost is lowered to 1 cent
    floor = Decimal("0.01")
    with store.filesystem().open(f"{BUCKET}/marts/fct_daily_costs.parquet", "rb") as fh:
        expected_rates = expected_ratios(pq.read_table(fh).to_pylist(), min_list=floor)
    assert ("aws", "Security", "ca-central-1") in expected_rates  # a slice with a discount
    rates = load_rates(s.marts_dir, min_list_cost=floor)
    assert {k: v[0] for k, v in rates.ratios.items()} == expected_rates
    assert rates.source == f"{s.marts_dir}/fct_daily_costs.parquet"
    # the CLI finds the marts from SIBYL_DATA_DIR alone (no --marts-dir, no SIBYL_MARTS_DIR)
    p = tmp_path / "plan.json"
    p.write_text(json.dumps(plan(change("aws_s3_bucket", "logs", {"bucket": "logs"}))))
    code = gate_main([str(p), "--format", "json", "--rates", "warehouse"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["rates"]["source"] == rates.source
