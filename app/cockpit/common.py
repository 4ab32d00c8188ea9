"""Shared bits of the cockpit pages: where the marts are, money formatting, empty states."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import streamlit as st

from app.cockpit.queries import MartMissing, Marts


def marts() -> Marts:
    """The published marts folder (SIBYL_MARTS_DIR, else <SIBYL_DATA_DIR>/marts)."""
    from orchestration.settings import Settings

    return Marts(os.environ.get("SIBYL_MARTS_DIR") or Settings.from_env().marts_dir)


def money(v: Decimal | float | int | None, currency: str = "USD") -> str:
    if v is None:
        return "—"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    amount = f"{abs(float(v)):,.2f}"
    sign = "-" if float(v) < 0 else ""
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def pct(v: float | None, signed: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v:+.1f}%" if signed else f"{v:.1f}%"


def how_to_read(text: str) -> None:
    st.caption(f"How to read this: {text}")


def not_produced(e: MartMissing) -> None:
    st.info(str(e), icon="ℹ️")


def frame(cols: list[str], rows: list[tuple[Any, ...]]) -> Any:
    """Rows as a pandas frame for st.dataframe / charts (money stays exact until display)."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=cols)
    for c in df.columns:
        if len(df) and isinstance(df[c].iloc[0], Decimal):
            df[c] = df[c].astype(float)
    return df
