"""Output formats: table (terminal), json (versioned schema), markdown (PR comment), sarif 2.1.0."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from iac_gate import REPORT_SCHEMA_VERSION
from iac_gate.gate import GateResult
from iac_gate.model import money

ICON = {"pass": "✅", "warn": "⚠️", "block": "⛔"}
SARIF_LEVEL = {"block": "error", "warn": "warning", "advisory": "note"}


def _usd(d: Decimal | None) -> str:
    return "—" if d is None else f"${Decimal(money(d)):,.2f}"


def _signed(d: Decimal) -> str:
    return ("+" if d > 0 else "-" if d < 0 else "±") + _usd(abs(d))


def render_json(res: GateResult) -> str:
    return json.dumps(res.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_table(res: GateResult) -> str:
    rows = [("RESOURCE", "ACTION", "REGION", "BEFORE", "AFTER", "DELTA", "NOTE")]
    for r in res.resources:
        ch = r.change
        before = r.monthly_cost_before if ch.before is not None else None
        after = r.monthly_cost if ch.after is not None else None
        note = "free" if r.free else ("" if r.priced else f"{r.status}: {r.unpriced_reason}")
        rows.append(
            (
                ch.address,
                ch.action,
                r.region or "?",
                _usd(before),
                _usd(after),
                _signed(r.monthly_cost - r.monthly_cost_before),
                note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = [
        "  ".join(
            c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(row[:6])
        )
        + (f"  {row[6]}" if row[6] else "")
        for row in rows
    ]
    lines.append("")
    lines.append(
        f"Monthly cost: {_usd(res.total_before)} -> {_usd(res.total_after)} "
        f"({_signed(res.delta)}/month, USD list prices, 730 h/month)"
    )
    if res.rates is not None:
        eff = res.total_effective - res.total_effective_before
        lines.append(
            f"At your rates: {_usd(res.total_effective_before)} -> {_usd(res.total_effective)} "
            f"({_signed(eff)}/month, effective/list ratios from your bills)"
        )
    for n in res.notices:
        lines.append(f"Note: {n}")
    ev = res.evaluation
    if ev.violations:
        lines.append("")
        lines.append("Policy violations:")
        for v in ev.violations:
            where = f" {v.resource_address}:" if v.resource_address else ""
            lines.append(f"  [{v.action.upper()}] {v.policy_id}:{where} {v.message}")
    lines.append(f"Decision: {ev.decision.upper()}")
    return "\n".join(lines) + "\n"


def render_markdown(res: GateResult) -> str:
    ev = res.evaluation
    md = [f"## {ICON[ev.decision]} Sibyl cost gate: **{ev.decision.upper()}**", ""]
    env = f" in `{res.environment}`" if res.environment else ""
    md.append(
        f"This change moves the monthly cost{env} from **{_usd(res.total_before)}** to "
        f"**{_usd(res.total_after)}** (**{_signed(res.delta)}/month**)."
    )
    if res.rates is not None:
        eff = res.total_effective - res.total_effective_before
        md.append(
            f"At your organisation's effective rates: **{_usd(res.total_effective)}** "
            f"(**{_signed(eff)}/month**), list prices beside."
        )
    md.append("")
    md.append("| Resource | Action | Region | Before | After | Δ / month |")
    md.append("|---|---|---|---:|---:|---:|")
    for r in sorted(res.resources, key=lambda r: -(abs(r.monthly_cost - r.monthly_cost_before))):
        if r.free and r.monthly_cost == 0:
            continue
        ch = r.change
        flag = "" if r.priced else f" ⚠️ {r.status}"
        md.append(
            f"| `{ch.address}`{flag} | {ch.action} | {r.region or '?'} | "
            f"{_usd(r.monthly_cost_before) if ch.before is not None else '—'} | "
            f"{_usd(r.monthly_cost) if ch.after is not None else '—'} | "
            f"{_signed(r.monthly_cost - r.monthly_cost_before)} |"
        )
    free = sum(1 for r in res.resources if r.free)
    if free:
        md.append(f"\n{free} resource(s) with no charge of their own are not listed.")
    if res.unpriced:
        cov = res.coverage()
        md.append(
            f"\n<details><summary>⚠️ Not fully priced: {cov['partial']} partial, "
            f"{cov['unpriced']} unpriced of {cov['resources']} resources "
            "(totals count only what could be priced)</summary>\n"
        )
        for r in res.unpriced:
            md.append(f"- `{r.change.address}` ({r.status}):")
            for c in r.unpriced_components():
                md.append(f"  - {c['name']}: {c['reason']}")
        md.append("\n</details>")
    if ev.violations:
        md.append("\n### Policy violations\n")
        md.append("| Policy | Action | Resource | Message |")
        md.append("|---|---|---|---|")
        for v in ev.violations:
            md.append(
                f"| `{v.policy_id}` | {v.action} | {f'`{v.resource_address}`' if v.resource_address else '—'} | {v.message} |"
            )
    if res.notices:
        md.append("")
        md.extend(f"> {n}" for n in res.notices)
    md.append(
        "\n<sub>Offline list prices (USD, 730 h/month) from Sibyl's price catalog; "
        "usage-priced components count only when a usage file gives their quantity.</sub>"
    )
    return "\n".join(md) + "\n"


def render_sarif(res: GateResult) -> str:
    ev = res.evaluation
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for v in ev.violations:
        rules.setdefault(
            v.policy_id,
            {
                "id": v.policy_id,
                "name": v.kind,
                "shortDescription": {"text": f"Sibyl cost policy {v.policy_id} ({v.kind})"},
                "defaultConfiguration": {"level": SARIF_LEVEL[v.action]},
            },
        )
        src = next(
            (r.change.source for r in res.resources if r.change.address == v.resource_address),
            res.source,
        )
        loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": src or res.source}}}
        if v.resource_address:
            loc["logicalLocations"] = [
                {"fullyQualifiedName": v.resource_address, "kind": "resource"}
            ]
        results.append(
            {
                "ruleId": v.policy_id,
                "level": SARIF_LEVEL[v.action],
                "message": {"text": v.message},
                "locations": [loc],
            }
        )
    if res.unpriced:
        rules["unpriced"] = {
            "id": "unpriced",
            "name": "unpriced",
            "shortDescription": {"text": "Resource not fully priced (partial or unpriced)"},
            "defaultConfiguration": {"level": "note"},
        }
        for r in res.unpriced:
            parts = "; ".join(f"{c['name']}: {c['reason']}" for c in r.unpriced_components())
            results.append(
                {
                    "ruleId": "unpriced",
                    "level": "note",
                    "message": {"text": f"{r.change.address} is {r.status}: {parts}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": r.change.source or res.source}
                            },
                            "logicalLocations": [
                                {"fullyQualifiedName": r.change.address, "kind": "resource"}
                            ],
                        }
                    ],
                    "properties": {"status": r.status},
                }
            )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sibyl-gate",
                        "version": REPORT_SCHEMA_VERSION,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "properties": {
                    "decision": ev.decision,
                    "total_monthly_cost": money(res.total_after),
                    "delta_monthly_cost": money(res.delta),
                    "coverage": res.coverage(),
                },
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
