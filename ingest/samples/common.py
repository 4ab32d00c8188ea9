"""Shared pieces of the sample-export generator: calendar, resources, messy tags, anomalies.

Everything is vectorized per billing month: a resource table (one row per resource) is
expanded to (resource, day) pairs with numpy, never row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from ingest.samples.org import Org


@dataclass(frozen=True)
class Month:
    """One billing period: ``start`` (first day) and the generated days (may be partial)."""

    start: dt.date
    days: int  # number of generated days in this month

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def next_start(self) -> dt.date:
        return (self.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)

    @property
    def days_in_month(self) -> int:
        return (self.next_start - self.start).days


def months_ending(end_date: dt.date, months: int) -> list[Month]:
    """``months`` billing periods ending with the one containing ``end_date`` (partial)."""
    out: list[Month] = []
    start = end_date.replace(day=1)
    for _ in range(months):
        nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        days = (min(nxt - dt.timedelta(days=1), end_date) - start).days + 1
        out.append(Month(start, days))
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


@dataclass(frozen=True)
class Anomaly:
    """An injected cost anomaly (ground truth for anomaly detection tests)."""

    provider: str
    team_id: str
    account_id: str
    service: str
    resource_id: str
    start: dt.date
    end: dt.date  # inclusive
    multiplier: float
    description: str

    def as_dict(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "team_id": self.team_id,
            "account_id": self.account_id,
            "service": self.service,
            "resource_id": self.resource_id,
            "start_date": self.start.isoformat(),
            "end_date": self.end.isoformat(),
            "multiplier": self.multiplier,
            "description": self.description,
        }


@dataclass
class Resources:
    """Column-oriented resource catalog for one provider (index = resource number)."""

    ids: list[str]
    names: list[str]
    team: list[str]
    account: list[str]
    region: list[str]
    template: np.ndarray  # int index into the provider's template list
    base_qty: np.ndarray  # daily quantity before seasonality/noise
    start_day: np.ndarray  # first active day (index from the first generated day)
    end_day: np.ndarray  # last active day (inclusive)
    weekly: np.ndarray  # bool: weekday/weekend seasonality
    growth: np.ndarray  # yearly growth rate
    tags: list[dict[str, str]]
    flags: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def messy_tags(
    rng: np.random.Generator,
    org: Org,
    team_id: str,
    environment: str,
    team_keys: list[str],
    env_keys: list[str],
    cc_keys: list[str],
    lowercase_keys: bool = False,
) -> dict[str, str]:
    """Tags as real estates have them: aliased keys, case variants, misspellings, gaps.

    ~10% of resources are untagged, ~20% miss a required tag, ~10% carry a team value that only
    the alias seed can resolve, ~3% an unknown team value.
    """
    tags: dict[str, str] = {}
    if rng.random() < 0.10:
        return tags if rng.random() < 0.5 else {"Name": f"{team_id}-scratch"}
    r = rng.random()
    if r > 0.05:  # team tag present
        key = team_keys[rng.integers(len(team_keys))]
        v = rng.random()
        aliases = org.team_value_aliases.get(team_id, ())
        if v < 0.72:
            value = team_id
        elif v < 0.84:
            value = team_id.upper() if rng.random() < 0.5 else team_id.title()
        elif v < 0.97 and aliases:
            value = aliases[rng.integers(len(aliases))]
        elif v < 0.97:
            value = team_id.replace("-", "_")
        else:
            value = ["legacy", "tbd", "unknown-team"][rng.integers(3)]
        tags[key] = value
    if rng.random() < 0.87:
        key = env_keys[rng.integers(len(env_keys))]
        variants = {
            "prod": ["prod", "prod", "production", "Prod", "PRD"],
            "dev": ["dev", "dev", "development", "Dev"],
        }[environment]
        tags[key] = variants[rng.integers(len(variants))]
    if rng.random() < 0.78:
        key = cc_keys[rng.integers(len(cc_keys))]
        tags[key] = org.team(team_id).cost_center
    if rng.random() < 0.3:
        tags["Name" if not lowercase_keys else "name"] = f"{team_id}-{rng.integers(1000):03d}"
    if lowercase_keys:
        tags = {k.lower(): v.lower() for k, v in tags.items()}
    return tags


def day_factors(first_day: dt.date, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Weekday index and trend per day; returns (weekday[n_days], t_years[n_days])."""
    days = np.arange(n_days)
    weekday = (np.int64(first_day.weekday()) + days) % 7
    return weekday, days / 365.0


def usage_quantities(
    rng: np.random.Generator,
    res_idx: np.ndarray,
    day_idx: np.ndarray,
    weekday: np.ndarray,
    t_years: np.ndarray,
    resources: Resources,
    hourly: np.ndarray,
) -> np.ndarray:
    """Daily usage quantity per (resource, day): base x seasonality x growth x noise.

    ``hourly`` marks templates billed per hour of uptime: those use exactly 24 per day.
    """
    base = resources.base_qty[res_idx]
    weekend = np.isin(weekday[day_idx], (5, 6)) & resources.weekly[res_idx]
    season = np.where(weekend, 0.72, 1.0)
    growth = 1.0 + resources.growth[res_idx] * t_years[day_idx]
    noise = rng.lognormal(0.0, 0.06, size=res_idx.shape[0])
    qty = base * season * growth * noise
    is_hourly = hourly[resources.template[res_idx]]
    return np.where(is_hourly, 24.0 * np.maximum(1.0, np.round(base)), qty)


def apply_anomalies(
    qty: np.ndarray,
    res_idx: np.ndarray,
    day_dates: np.ndarray,
    anomalies: list[tuple[int, Anomaly]],
) -> np.ndarray:
    """Multiply quantities of the anomalous resource on the anomalous days."""
    for ridx, an in anomalies:
        mask = (
            (res_idx == ridx)
            & (day_dates >= np.datetime64(an.start))
            & (day_dates <= np.datetime64(an.end))
        )
        qty = np.where(mask, qty * an.multiplier, qty)
    return qty


def active_pairs(resources: Resources, day0: int, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """(resource index, absolute day index) for every resource active in [day0, day0+n_days)."""
    days = np.arange(day0, day0 + n_days)
    active = (resources.start_day[:, None] <= days[None, :]) & (
        resources.end_day[:, None] >= days[None, :]
    )
    r, d = np.nonzero(active)
    return r.astype(np.int64), (d + day0).astype(np.int64)


def lifecycle(rng: np.random.Generator, n: int, total_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Most resources live the whole period; some start late, some are deleted."""
    start = np.where(
        rng.random(n) < 0.7, 0, rng.integers(0, max(1, total_days - 20), size=n)
    ).astype(np.int64)
    end = np.where(
        rng.random(n) < 0.85,
        total_days - 1,
        np.minimum(total_days - 1, start + rng.integers(20, max(21, total_days), size=n)),
    ).astype(np.int64)
    return start, end


def hex_ids(rng: np.random.Generator, n: int, width: int = 17) -> list[str]:
    return [f"{x:0{width}x}"[-width:] for x in rng.integers(0, 2**62, size=n)]
