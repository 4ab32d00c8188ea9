"""A statement as CSV, HTML (values escaped) and PDF (reportlab), with a chart as a PNG image
(matplotlib, Agg), and the month's folder ``<reports>/YYYY-MM/`` written atomically per file."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path

from app.statements.data import CENT, Statement


def money(v: Decimal) -> str:
    return f"{v.quantize(CENT):,}"


def title(s: Statement) -> str:
    who = "Team" if s.kind == "team" else "Business unit"
    return f"{who} {s.key} — statement for {s.month} ({s.currency})"


def lines(s: Statement) -> list[tuple[str, str, str, Decimal]]:
    """(section, label, detail, amount): the statement's content, shared by every format."""
    out: list[tuple[str, str, str, Decimal]] = [("total", "Total billed", "", s.total)]
    out += [("service", f"{p} / {svc}", "direct", c) for p, svc, c in s.by_service]
    out += [("allocated", rule, method, c) for rule, method, c in s.allocated]
    out += [("team", t, "", c) for t, c in s.teams]
    out += [("credits", "Credits (included above)", "", s.credits)]
    out += [("taxes", "Taxes (included above)", "", s.taxes)]
    if s.budget:
        bid, amount, actual = s.budget
        out += [("budget", bid, "budget", amount), ("budget", bid, "actual to date", actual)]
    out += [
        ("month_over_month", "Previous month", "", s.previous_total),
        ("month_over_month", "Change", "", s.change),
        ("reconciliation", "All statements this month", "", s.invoice_total),
        ("reconciliation", "Invoiced (raw exports)", "", s.raw_invoice_total),
        ("reconciliation", "Difference", "", s.invoice_total - s.raw_invoice_total),
    ]
    return out


def to_csv(s: Statement) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "label", "detail", "amount", "currency", "month", "scope"])
    for section, label, detail, amount in lines(s):
        w.writerow([section, label, detail, str(amount.quantize(CENT)), s.currency, s.month, s.key])
    return buf.getvalue()


def chart_png(s: Statement) -> bytes:
    """Horizontal bars: the largest services (direct) and the allocated shared costs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = [(f"{svc[:38]}", float(c)) for _, svc, c in s.by_service[:8]]
    items += [(f"shared: {rule[:30]}", float(c)) for rule, _, c in s.allocated[:4]]
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(items), 2) + 1))
    try:
        labels = [i[0] for i in items][::-1]
        ax.barh(labels, [i[1] for i in items][::-1], color="#3b6ea5")
        ax.set_xlabel(f"billed cost ({s.currency})")
        ax.set_title(f"{s.key} — {s.month}")
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=110)
        return out.getvalue()
    finally:
        plt.close(fig)


def to_html(s: Statement, chart_name: str) -> str:
    e = html.escape
    rows = "\n".join(
        f"<tr class='{e(sec)}'><td>{e(sec)}</td><td>{e(label)}</td><td>{e(detail)}</td>"
        f"<td class='amount'>{e(money(amount))}</td></tr>"
        for sec, label, detail, amount in lines(s)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title(s))}</title>
<style>body{{font-family:sans-serif;margin:2em}} td{{padding:2px 8px}} .amount{{text-align:right}}
tr.total td,tr.reconciliation td{{font-weight:bold}}</style></head>
<body><h1>{e(title(s))}</h1>
<p>Total billed: <strong id="total">{e(money(s.total))} {e(s.currency)}</strong>;
direct {e(money(s.direct))}, shared costs allocated {e(money(s.allocated_total))}.</p>
<img src="{e(chart_name)}" alt="largest services and shared costs">
<table><thead><tr><th>section</th><th>item</th><th>detail</th><th>amount ({e(s.currency)})</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


def to_pdf(s: Statement, chart: bytes) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title(s), leftMargin=2 * cm, rightMargin=2 * cm)
    esc = html.escape
    story = [
        Paragraph(esc(title(s)), styles["Title"]),
        Paragraph(
            f"Total billed: <b>{esc(money(s.total))} {esc(s.currency)}</b> — direct "
            f"{esc(money(s.direct))}, shared costs allocated {esc(money(s.allocated_total))}",
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
    ]
    img = Image(io.BytesIO(chart))
    scale = (A4[0] - 4 * cm) / img.drawWidth
    img.drawWidth, img.drawHeight = img.drawWidth * scale, img.drawHeight * scale
    story += [img, Spacer(1, 0.4 * cm)]
    data = [["section", "item", "detail", f"amount ({s.currency})"]]
    data += [[sec, label[:60], detail, money(amount)] for sec, label, detail, amount in lines(s)]
    table = Table(data, repeatRows=1, colWidths=[3.2 * cm, 8 * cm, 2.6 * cm, 3.2 * cm])
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buf.getvalue()


def _put(folder: Path, name: str, data: bytes) -> Path:
    """Write ``folder/name`` by a temp file and a rename: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    target = folder / name
    os.replace(tmp, target)
    return target


def write_statements(stmts: list[Statement], reports_dir: str | Path) -> dict[str, object]:
    """Every statement's CSV, HTML, PNG chart and PDF under ``reports_dir/YYYY-MM/`` and an
    ``index.json``; returns the index."""
    if not stmts:
        raise ValueError("no statements to write")
    month = stmts[0].month
    folder = Path(reports_dir) / month
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for s in stmts:
        chart = chart_png(s)
        _put(folder, f"{s.slug}.png", chart)
        _put(folder, f"{s.slug}.csv", to_csv(s).encode("utf-8"))
        _put(folder, f"{s.slug}.html", to_html(s, f"{s.slug}.png").encode("utf-8"))
        _put(folder, f"{s.slug}.pdf", to_pdf(s, chart))
        entries.append(
            {
                "kind": s.kind,
                "key": s.key,
                "currency": s.currency,
                "total": str(s.total.quantize(CENT)),
                "files": [f"{s.slug}.{x}" for x in ("csv", "html", "pdf", "png")],
            }  # fmt: skip
        )
    index: dict[str, object] = {"month": month, "folder": str(folder), "statements": entries}
    _put(folder, "index.json", json.dumps(index, indent=1).encode("utf-8"))
    return index
