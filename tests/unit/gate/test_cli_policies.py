"""The gate end to end in-process: inputs, policies, outputs, exit codes, bad input, fuzzing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from iac_gate.cli import main
from tests.gate_plans import change, plan, synthetic_plan

FIX = Path("tests/iac_fixtures")
SCHEMA = json.loads(Path("iac_gate/schema/report.schema.json").read_text())


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# The fixtures that are not plans, and the message each must get.
NOT_PLANS = {
    "terraform-plan-noprovider.json": "not valid JSON",
    "terraform-empty-plan.json": "state file",
}


@pytest.mark.parametrize("fixture", sorted(str(p) for p in FIX.glob("*/*.json")))
def test_every_fixture_prices_or_fails_clearly(fixture, capsys) -> None:
    code, out, err = run([fixture, "--format", "json"], capsys)
    expected_error = NOT_PLANS.get(Path(fixture).name)
    if expected_error:
        assert code == 2 and fixture in err and expected_error in err and "Traceback" not in err
    else:
        assert code == 0
        doc = json.loads(out)
        jsonschema.validate(doc, SCHEMA)
        for r in doc["resources"]:
            assert r["priced"] or r["unpriced_reason"]


def test_no_region_plan_prices_with_default_region(capsys) -> None:
    _, out, _ = run([FIX / "aws/terraform-plan-no-region.json", "--format", "json"], capsys)
    doc = json.loads(out)
    inst = next(r for r in doc["resources"] if r["type"] == "aws_instance")
    # the AWS provider's default (us-east-1), said in a notice, as Infracost and users expect
    assert inst["region"] == "us-east-1"
    assert any("region assumed us-east-1" in n and "--default-region" in n for n in doc["notices"])
    _, out, _ = run(
        [
            FIX / "aws/terraform-plan-no-region.json",
            "--format",
            "json",
            "--default-region",
            "eu-west-1",
        ],
        capsys,
    )
    inst = next(r for r in json.loads(out)["resources"] if r["type"] == "aws_instance")
    assert inst["priced"] and inst["region"] == "eu-west-1"


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


POLICIES = """
version: 1
policies:
  - {id: prod-budget, kind: monthly_budget, environments: [prod], max_total: 100, max_increase: 50, action: block}
  - {id: no-metal, kind: instance_sizes, deny: ["*.metal"], action: block}
  - {id: families, kind: instance_sizes, environments: [dev], families: ["t3", "t4g"], action: warn}
  - {id: regions, kind: allowed_regions, regions: [us-east-1], action: warn}
  - {id: tags, kind: required_tags, tags: [team], action: advisory}
  - {id: big, kind: max_resource_cost, max_monthly_cost: 60, action: warn}
"""


def test_policies_decide_and_exit_codes(tmp_path, capsys) -> None:
    pol = write(tmp_path, "pol/p.yml", POLICIES)
    small = write(
        tmp_path,
        "small.json",
        json.dumps(
            plan(change("aws_instance", "a", {"instance_type": "t3.micro", "tags": {"team": "x"}}))
        ),
    )
    code, out, _ = run(
        [small, "--env", "prod", "--policies", pol.parent, "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["policy"]["decision"] == "pass"

    big = write(
        tmp_path,
        "big.json",
        json.dumps(plan(change("aws_instance", "m", {"instance_type": "m5.metal", "tags": {}}))),
    )
    code, out, _ = run([big, "--env", "prod", "--policies", pol.parent, "--format", "json"], capsys)
    doc = json.loads(out)
    ids = {(v["policy_id"], v["action"]) for v in doc["policy"]["violations"]}
    assert code == 1 and doc["policy"]["decision"] == "block"
    assert {
        ("prod-budget", "block"),
        ("no-metal", "block"),
        ("tags", "advisory"),
        ("big", "warn"),
    } <= ids
    assert "families" in {s["policy_id"] for s in doc["policy"]["skipped"]}

    mid = write(
        tmp_path,
        "mid.json",
        json.dumps(
            plan(
                change("aws_instance", "c", {"instance_type": "t2.micro", "tags": {"team": "t"}}),
                regions={"aws": "eu-west-1"},
            )
        ),
    )
    code, out, _ = run([mid, "--env", "dev", "--policies", pol.parent, "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["policy"]["decision"] == "warn"
    assert {v["policy_id"] for v in doc["policy"]["violations"]} == {"families", "regions"}


@pytest.mark.parametrize(
    "text,needle",
    [
        (
            "version: 1\npolicies:\n  - {id: x, kind: monthly_budget, max_total: lots, action: block}\n",
            "max_total",
        ),
        ("version: 1\npolicies:\n  - {id: x, kind: nope, action: block}\n", "kind"),
        (
            "version: 1\npolicies:\n  - {id: x, kind: required_tags, tags: [a], action: explode}\n",
            "action",
        ),
        (
            "version: 1\npolicies:\n  - {id: x, kind: allowed_regions, regions: [a], action: warn, colour: red}\n",
            "colour",
        ),
        ("version: 1\npolicies: [\n", "not valid YAML"),
    ],
)
def test_invalid_policies_exit_2_with_the_field(tmp_path, capsys, text, needle) -> None:
    pol = write(tmp_path, "bad.yml", text)
    code, _, err = run([FIX / "google/plan.json", "--policies", pol], capsys)
    assert code == 2 and "bad.yml" in err and needle in err and "Traceback" not in err


def test_team_budget_from_the_budget_mart(tmp_path, capsys, monkeypatch) -> None:
    import duckdb

    pol = write(
        tmp_path,
        "p.yml",
        "version: 1\npolicies:\n  - {id: tb, kind: team_budget, team_tag: team, action: block}\n",
    )
    doc = plan(
        change("aws_instance", "a", {"instance_type": "m5.large", "tags": {"team": "payments"}})
    )
    p = write(tmp_path, "plan.json", json.dumps(doc))
    monkeypatch.setenv("SIBYL_MARTS_DIR", str(tmp_path / "marts"))
    code, out, _ = run([p, "--policies", pol, "--format", "json"], capsys)
    res = json.loads(out)
    assert code == 0 and any("no budget mart" in n for n in res["notices"])
    (tmp_path / "marts").mkdir()
    duckdb.sql(f"""copy (select * from (values
        ('team', 'payments', 1000.00::decimal(18,2), 980.00::decimal(18,2), 'monthly', date '2026-11-20'),
        ('team', 'payments', 1000.00::decimal(18,2), 900.00::decimal(18,2), 'monthly', date '2026-11-10'))
        t(scope_type, scope_value, budget_amount, actual_cost_to_date, period, as_of_date))
        to '{tmp_path / "marts" / "fct_budget_status.parquet"}' (format parquet)""")
    code, out, _ = run([p, "--policies", pol, "--format", "json"], capsys)
    v = json.loads(out)["policy"]["violations"]
    assert code == 1 and "only $20.00" in v[0]["message"]  # latest day: 1000 - 980


def test_markdown_and_sarif(tmp_path, capsys) -> None:
    pol = write(
        tmp_path,
        "p.yml",
        "version: 1\npolicies:\n  - {id: tags, kind: required_tags, tags: [team], action: warn}\n",
    )
    code, md, _ = run([FIX / "google/plan.json", "--policies", pol, "--format", "markdown"], capsys)
    assert (
        code == 0
        and "Sibyl cost gate: **WARN**" in md
        and "google_compute_instance.vm" in md
        and "+$17.30" in md
    )
    code, sarif, _ = run([FIX / "google/plan.json", "--policies", pol, "--format", "sarif"], capsys)
    doc = json.loads(sarif)
    assert (
        doc["version"] == "2.1.0" and doc["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "tags"
    )
    res = doc["runs"][0]["results"]
    assert (
        res
        and res[0]["level"] == "warning"
        and res[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
    )


@pytest.mark.parametrize(
    "content,needle",
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a Terraform plan"),
        (b'{"hello": 1}', "neither"),
        (b"PK\x03\x04\x00\xff\xfe", "binary plan"),
        (
            b'{"resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": ["explode"]}}]}',
            "unknown actions",
        ),
    ],
)
def test_bad_plans_exit_2(tmp_path, capsys, content, needle) -> None:
    p = tmp_path / "plan.json"
    p.write_bytes(content)
    code, _, err = run([p], capsys)
    assert code == 2 and needle in err and str(p) in err


def test_empty_plan_is_a_clean_result(tmp_path, capsys) -> None:
    p = write(tmp_path, "plan.json", json.dumps(plan()))
    code, out, _ = run([p, "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["total_monthly_cost"] == "0.00"


def test_usage_errors_exit_2(tmp_path, capsys) -> None:
    code, _, err = run([tmp_path / "missing.json"], capsys)
    assert code == 2 and "no such file" in err
    with pytest.raises(SystemExit) as e:
        main(["x.json", "--format", "pdf"])
    assert e.value.code == 2
    bad = write(tmp_path, "u.yml", "resources:\n  aws_instance.a:\n    root_volume_size_gb: -3\n")
    code, _, err = run([FIX / "google/plan.json", "--usage", bad], capsys)
    assert code == 2 and "non-negative" in err


def test_50k_resource_plan(tmp_path, capsys) -> None:
    p = tmp_path / "big.json"
    p.write_text(json.dumps(synthetic_plan(50_000)))
    code, out, _ = run([p, "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 0 and len(doc["resources"]) == 50_000 and doc["unpriced_resources"] == 0


def test_cli_path_imports_no_dagster_dbt_or_pandas() -> None:
    code = (
        "import sys; from app.cli import main; rc = main(['gate', 'tests/iac_fixtures/google/plan.json', '--format', 'json']);"
        "heavy = sorted(m for m in ('dagster', 'dbt', 'pandas', 'polars', 'pyarrow') if m in sys.modules);"
        "print('HEAVY', heavy, file=sys.stderr); sys.exit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stderr
