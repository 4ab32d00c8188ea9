"""The demo organization, read from the dbt seeds so generator and models share one truth."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Team:
    team_id: str
    business_unit_id: str
    cost_center: str


@dataclass(frozen=True)
class Account:
    provider: str
    account_id: str
    account_name: str
    default_team_id: str
    environment: str


@dataclass(frozen=True)
class Org:
    teams: tuple[Team, ...]
    accounts: tuple[Account, ...]
    team_value_aliases: dict[str, tuple[str, ...]]

    def accounts_for(self, provider: str) -> list[Account]:
        return [a for a in self.accounts if a.provider == provider]

    def team(self, team_id: str) -> Team:
        return next(t for t in self.teams if t.team_id == team_id)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_org(seeds_dir: Path = SEEDS_DIR) -> Org:
    """Teams, accounts and team-name aliases from ``teams.csv``, ``account_owners.csv`` and
    ``tag_value_aliases.csv`` (the aliases seed the generator's misspelled tag values)."""
    teams = tuple(
        Team(r["team_id"], r["business_unit_id"], r["cost_center"])
        for r in _rows(seeds_dir / "teams.csv")
    )
    accounts = tuple(
        Account(
            r["provider"],
            r["account_id"],
            r["account_name"],
            r["default_team_id"],
            r["environment"],
        )
        for r in _rows(seeds_dir / "account_owners.csv")
    )
    aliases: dict[str, list[str]] = {}
    for r in _rows(seeds_dir / "tag_value_aliases.csv"):
        if r["canonical_key"] == "team":
            aliases.setdefault(r["canonical_value"], []).append(r["normalized_value"])
    return Org(teams, accounts, {k: tuple(v) for k, v in aliases.items()})
