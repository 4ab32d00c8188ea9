"""Shared by the gate tests: the shipped offline price catalog, loaded once per session."""

from __future__ import annotations

import pytest

from iac_gate.catalog import PriceCatalog


@pytest.fixture(scope="session")
def catalog() -> PriceCatalog:
    return PriceCatalog()
