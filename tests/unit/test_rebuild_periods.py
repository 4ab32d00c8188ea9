"""The billing periods an incremental dbt run rebuilds (macro rebuild_periods, macros/lake.sql).

The macros are rendered with plain Jinja and the few dbt context members they use (var, env_var,
execute, modules.re, return, exceptions), so the test runs the macro's own logic without starting
dbt. What matters for partial parsing: while dbt parses (`execute` false) the macro never reads
SIBYL_BILLING_PERIODS, so dbt records no environment variable that would force a re-parse.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest

from orchestration.lib.sensing import rebuild_periods

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "lake.sql"


class CompilerError(Exception):
    pass


def _raise(message: str) -> None:
    raise CompilerError(message)


def _macros(
    *, vars_: dict[str, Any], env: dict[str, str], execute: bool
) -> tuple[Any, list[Any], list[str]]:
    returned: list[Any] = []
    env_reads: list[str] = []

    def _return(value: Any) -> str:
        returned.append(value)
        return ""

    def env_var(name: str, default: str | None = None) -> str:
        env_reads.append(name)
        value = env.get(name, default)
        assert value is not None
        return value

    jenv = jinja2.Environment(extensions=["jinja2.ext.do"], autoescape=False)  # noqa: S701 -- SQL, not HTML
    module = jenv.from_string(MACROS.read_text()).make_module(
        {
            "var": lambda name, default=None: vars_.get(name, default),
            "env_var": env_var,
            "execute": execute,
            "modules": SimpleNamespace(re=re),
            "exceptions": SimpleNamespace(raise_compiler_error=_raise),
            "return": _return,
        }
    )
    return module, returned, env_reads


def _periods(*, vars_: dict[str, Any] | None = None, env: str | None, execute: bool = True):
    module, returned, reads = _macros(
        vars_=vars_ or {},
        env={} if env is None else {"SIBYL_BILLING_PERIODS": env},
        execute=execute,
    )
    module.rebuild_periods()
    return returned[-1], reads


def test_the_environment_gives_the_periods_at_execution_time():
    assert _periods(env="2026-06")[0] == ["2026-06"]
    assert _periods(env=" 2026-05 , 2026-06,")[0] == ["2026-05", "2026-06"]


def test_nothing_set_means_every_period():
    assert _periods(env=None)[0] == []
    assert _periods(env="")[0] == []


def test_var_billing_periods_wins_over_the_environment():
    got, reads = _periods(vars_={"billing_periods": ["2026-01"]}, env="2026-06")
    assert got == ["2026-01"]
    assert reads == []


def test_parsing_never_reads_the_environment():
    # dbt records every env_var() read while parsing; a recorded one that changes between runs
    # re-parses the files using it, which is what passing the periods this way avoids
    got, reads = _periods(env="2026-06", execute=False)
    assert got == []
    assert reads == []


BAD_PERIODS = ["2026-6", "2026-06'; drop table x; --", "all", "2026-06-01", "2026-13", "2026-00"]


@pytest.mark.parametrize("bad", BAD_PERIODS)
def test_anything_but_yyyy_mm_is_refused(bad):
    with pytest.raises(CompilerError, match="YYYY-MM"):
        _periods(env=f"2026-05,{bad}")
    # --vars billing_periods is checked the same way (its values become SQL string literals)
    with pytest.raises(CompilerError, match="YYYY-MM"):
        _periods(vars_={"billing_periods": ["2026-05", bad]}, env=None)


@pytest.mark.parametrize("bad", BAD_PERIODS)
def test_the_sensor_refuses_what_the_macro_refuses(bad):
    # a period the macro would refuse makes the sensor ask for a full build instead of failing it
    assert rebuild_periods(["2026-05", bad], has_fact_table=True) == []
    assert rebuild_periods(["2026-05", "2026-12"], has_fact_table=True) == ["2026-05", "2026-12"]


def test_an_unbounded_value_is_refused():
    with pytest.raises(CompilerError, match="longer than"):
        _periods(env=",".join(["2026-06"] * 2000))
