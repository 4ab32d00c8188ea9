"""Shared bits of the cockpit pages: where the marts are (scoped to the signed-in user), the
explanations and empty states. Formatting lives in ``present``; this module re-exports the names
pages used before it existed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import streamlit as st

from app.cockpit.present import money, pct, to_frame
from app.cockpit.queries import MartMissing, Marts
from ingest.pg_marts import PostgresMarts

__all__ = ["frame", "how_to_read", "marts", "money", "not_produced", "pct"]


def marts_dir() -> str:
    """The published marts folder (SIBYL_MARTS_DIR, else <SIBYL_DATA_DIR>/marts)."""
    from orchestration.settings import Settings

    return os.environ.get("SIBYL_MARTS_DIR") or Settings.from_env().marts_dir


def marts() -> Marts:
    """The marts as the signed-in user may see them: the team scope is part of every query. With
    SIBYL_WAREHOUSE_URL set they are read from that Postgres warehouse (the analysts' read-only
    role is enough), else from the published Parquet folder."""
    from app.cockpit.session import current_user
    from orchestration.settings import Settings

    user = current_user()
    url = Settings.from_env().warehouse_url
    source = PostgresMarts.from_url(url) if url else None
    return Marts(marts_dir(), teams=user.team_scope if user else (), source=source)


def how_to_read(text: str) -> None:
    st.caption(f"How to read this: {text}")


def not_produced(e: MartMissing) -> None:
    st.info(str(e), icon="ℹ️")


def frame(cols: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> Any:
    """Rows as a pandas frame for tables and charts (Decimal -> float in every row)."""
    return to_frame(cols, rows)
