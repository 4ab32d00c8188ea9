"""The allocation configuration check: the shipped demo rules are valid; each mistake is reported
with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.allocation_rules import RULES, SHARES, USAGE, check_allocation
from app.pipeline_cli import check_config, init_config

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
HEAD = {
    RULES: "rule_id,rule_order,match_dimension,match_value,driver,driver_dimension,driver_value,remainder_team_id,description",
    SHARES: "rule_id,team_id,share",
    USAGE: "rule_id,billing_period,team_id,quantity",
}


def write(folder: Path, name: str, *lines: str) -> None:
    (folder / name).write_text("\n".join([HEAD[name], *lines]) + "\n", encoding="utf-8")


def test_the_demo_rules_are_valid() -> None:
    assert check_allocation(SEEDS) == []


def test_an_initialised_config_folder_is_usable(tmp_path: Path) -> None:
    init_config(tmp_path)
    assert (tmp_path / RULES).exists() and check_config(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        (RULES, "r1,ten,service,EC2,even,,,,", f"{RULES} line 2: rule_order"),
        (RULES, "r1,1,team,x,even,,,,", f"{RULES} line 2: match_dimension"),
        (RULES, "r1,1,tag,team,even,,,,", f"{RULES} line 2: a tag match_value is key=value"),
        (RULES, "r1,1,service,EC2,magic,,,,", f"{RULES} line 2: driver must be"),
        (RULES, "r1,1,service,EC2,cost,,,,", f"{RULES} line 2: a cost driver needs"),
        (RULES, "r 1,1,service,EC2,cost,provider,aws,,", f"{RULES} line 2: rule_id"),
        (RULES, "r1,1,service,EC2", f"{RULES} line 2: 4 fields, expected 9"),
        (RULES, "r1,1,service,EC2,fixed,,,,", f"{RULES} line 2: rule 'r1' lists no teams"),
    ],
)
def test_rule_mistakes_name_file_and_line(
    tmp_path: Path, name: str, line: str, expected: str
) -> None:
    write(tmp_path, name, line)
    problems = check_allocation(tmp_path)
    assert any(p.startswith(expected) for p in problems), problems


def test_share_and_usage_mistakes(tmp_path: Path) -> None:
    write(
        tmp_path,
        RULES,
        "f,1,service,S,fixed,,,,",
        "u,2,service,T,usage,,,,",
        "c,3,service,U,cost,provider,aws,,",
    )
    write(tmp_path, SHARES, "f,a,-1", "f,b,0.5", "u,a,1", "ghost,a,1")
    write(tmp_path, USAGE, "u,2026-13,a,1", "u,2026-09,a,-2", "f,2026-09,a,1", "u,2026-09,b,3.5")
    problems = check_allocation(tmp_path)
    assert problems == [
        f"{SHARES} line 2: a fixed share is a positive number, not '-1'",
        f"{SHARES} line 4: rule 'u' is not a fixed or even rule",
        f"{SHARES} line 5: rule 'ghost' is not a fixed or even rule",
        f"{USAGE} line 2: billing_period is YYYY-MM, not '2026-13'",
        f"{USAGE} line 3: quantity is a number >= 0, not '-2'",
        f"{USAGE} line 4: rule 'f' is not a usage rule",
    ]


def test_bad_header_and_duplicate_rule(tmp_path: Path) -> None:
    shutil.copy(SEEDS / RULES, tmp_path / RULES)
    with (tmp_path / RULES).open("a", encoding="utf-8") as fh:
        fh.write("dns-even,50,service,X,cost,provider,aws,,\n")
    (tmp_path / SHARES).write_text("rule,team\n", encoding="utf-8")
    problems = check_allocation(tmp_path)
    assert f"{RULES} line 6: rule_id 'dns-even' appears twice" in problems
    assert f"{SHARES} line 1: header must be rule_id,team_id,share" in problems
