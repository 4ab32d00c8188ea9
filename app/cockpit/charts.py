"""Charts of the cockpit, one look everywhere: a palette that never repeats within a chart
(at most 20 series; explorer charts show 10 + 'other'), legends sorted by cost, time axes with a
time unit (monthly bars a month wide) and years, money axes and tooltips in the currency."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from app.cockpit.present import symbol

# 20 distinguishable colours (Tableau 20 order, dark shades first): a chart never shows more
# series than this (explorer charts are top 10 + 'other'), so a colour never repeats in a chart.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)  # fmt: skip
OTHER_COLOUR = "#bab0ac"


def sorted_series(df: pd.DataFrame, series: str, value: str) -> list[str]:
    """Series names by total absolute cost, largest first, 'other' last (the legend order)."""
    order = df.groupby(series)[value].apply(lambda s: s.abs().sum()).sort_values(ascending=False)
    names = [str(n) for n in order.index if str(n) != "other"]
    return names + (["other"] if "other" in set(map(str, order.index)) else [])


def colour(series_order: Sequence[str], title: str) -> alt.Color:
    """A colour encoding with one distinct colour per series (never repeated) in legend order."""
    if len(series_order) > len(PALETTE) + 1:
        raise ValueError(f"{len(series_order)} series is more than a chart can tell apart")
    palette = list(PALETTE[: len([s for s in series_order if s != "other"])])
    rng = [OTHER_COLOUR if s == "other" else palette.pop(0) for s in series_order]
    return alt.Color(
        "series:N",
        title=title,
        scale=alt.Scale(domain=list(series_order), range=rng),
        sort=list(series_order),
        legend=alt.Legend(orient="right", labelLimit=260),
    )


def time_x(field: str, grain: str = "daily") -> alt.X:
    """A time axis with a time unit, so bars span their whole day or month (no 1-pixel bars), and
    labels with years ('Oct 2026', '03 Oct 2026')."""
    unit = "yearmonth" if grain == "monthly" else "yearmonthdate"
    fmt = "%b %Y" if grain == "monthly" else "%d %b %Y"
    return alt.X(f"{unit}({field}):T", title=None, axis=alt.Axis(format=fmt, labelOverlap=True))


def money_axis(currency: str | None, what: str = "cost") -> alt.Y:
    sym = symbol(currency)
    fmt = f"{sym},.0f" if sym == "$" else ",.0f"
    return alt.Y("cost:Q", title=f"{what} ({currency or 'mixed'})", axis=alt.Axis(format=fmt))


def _stacked(
    df: pd.DataFrame, period: str, series: str, value: str, currency: str | None, title: str
) -> tuple[pd.DataFrame, list[str], str]:
    """The data renamed to series/cost with a legend-order column, the order, the money format."""
    data = df.rename(columns={series: "series", value: "cost"}).copy()
    data["series"] = data["series"].astype(str)
    order = sorted_series(data, "series", "cost")
    data["order"] = data["series"].map({s: i for i, s in enumerate(order)})
    return data, order, "$,.2f" if symbol(currency) == "$" else ",.2f"


def _tooltips(
    period: str, date_format: str, title: str, currency: str | None, fmt: str
) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{period}:T", title="period", format=date_format),
        alt.Tooltip("series:N", title=title),
        alt.Tooltip("cost:Q", title=f"cost ({currency or 'mixed'})", format=fmt),
    ]


def stacked_bars(
    df: pd.DataFrame,
    period: str,
    series: str,
    value: str,
    currency: str | None,
    grain: str,
    title: str,
) -> alt.Chart:
    """Cost per period stacked by series: distinct colours, legend by cost, money tooltips."""
    data, order, fmt = _stacked(df, period, series, value, currency, title)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=time_x(period, grain),
            y=money_axis(currency),
            color=colour(order, title),
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=_tooltips(
                period, "%d %b %Y" if grain == "daily" else "%b %Y", title, currency, fmt
            ),
        )
    )


def stacked_area(
    df: pd.DataFrame, period: str, series: str, value: str, currency: str | None, title: str
) -> alt.Chart:
    """Daily cost stacked by series as areas (same colours, order and tooltips as the bars)."""
    data, order, fmt = _stacked(df, period, series, value, currency, title)
    return (
        alt.Chart(data)
        .mark_area()
        .encode(
            x=alt.X(f"{period}:T", title=None, axis=alt.Axis(format="%d %b %Y")),
            y=money_axis(currency).stack(True),
            color=colour(order, title),
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=_tooltips(period, "%d %b %Y", title, currency, fmt),
        )
    )
