"""Savings: commitment purchase simulation, rightsizing and idle detection, the action inbox.

Plain typed functions (no Dagster, no dbt); money is ``Decimal``. The Dagster assets in
``orchestration/defs/savings/`` call them on the marts and write the results back to the lake.
"""
