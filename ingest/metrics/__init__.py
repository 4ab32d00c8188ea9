"""Utilization metrics: a lake source beside the billing exports.

``formats`` parses each real export format (CloudWatch GetMetricData JSON, a long CSV, Azure
Monitor metrics JSON, GCP Cloud Monitoring timeSeries JSON) into one long table; ``lake`` writes it
to ``<lake>/raw/metrics/billing_period=YYYY-MM/<file-id>.parquet`` under the same contract as the
bills (control totals, quarantine with a reason, idempotent replacement).
"""
