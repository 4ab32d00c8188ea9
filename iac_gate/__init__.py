"""Sibyl's IaC cost gate: price Terraform changes offline and evaluate them against YAML policies.

Plain, typed Python. The CLI path (`sibyl gate`) imports only this package, PyYAML, pydantic and
python-hcl2 — never Dagster, dbt or pandas — so a 500-resource plan is checked in well under
two seconds including interpreter start.

Money is `decimal.Decimal`; a month is 730 hours (the convention of every public price page).
"""

REPORT_SCHEMA_VERSION = "1.1"
HOURS_PER_MONTH = 730
