"""ML on the marts (anomaly detection, forecasts, recommendations): plain functions called by
Dagster assets in orchestration/. Not built yet: see the open issue for intelligence on marts."""
