"""Intelligence on the marts, as plain functions the Dagster assets in orchestration/defs/ml call:

- ``anomaly`` — detect(frame) / events(scored) / explain(detail, ...): z-score, IQR, Prophet;
- ``forecast`` — forecast(frame, horizon_days): model chosen per series by rolling-origin backtest;
- ``budget`` — budgets as data, budget_status(...), the circuit breaker;
- ``notify`` — signed webhook deliveries with retries;
- ``status`` — the human logs (anomaly status, breaker overrides); ``store`` — ML tables in the lake;
- ``runs`` — what the assets run (marts in, ML tables out); ``evaluation`` — the labelled set.

See docs/ml.md.
"""
