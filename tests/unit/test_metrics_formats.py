"""Metrics export parsers on real published examples and on crafted bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ingest.metrics.formats import MetricsFormatError, parse_bytes

FIX = Path(__file__).resolve().parents[1] / "metrics_fixtures"
UTC = dt.UTC


def test_cloudwatch_get_metric_data_with_queries_sidecar() -> None:
    data = (FIX / "aws" / "awscli_get_metric_data_example1.json").read_bytes()
    queries = (FIX / "aws" / "awscli_get_metric_data_example1.queries.json").read_bytes()
    fmt, points = parse_bytes("awscli_get_metric_data_example1.json", data, queries)
    assert fmt == "cloudwatch_get_metric_data"
    assert len(points) == 1
    p = points[0]
    # the expression reads EBS ops of one instance only, so its result belongs to it
    assert (p.provider, p.resource_id, p.raw_metric, p.statistic) == (
        "aws",
        "i-abcdef",
        "Avg Total IOPS",
        "expression",
    )
    assert p.value == pytest.approx(96.85)
    assert p.timestamp == dt.datetime(2024, 9, 29, 22, 10, tzinfo=UTC)


def test_cloudwatch_without_queries_is_refused_with_the_reason() -> None:
    data = (FIX / "aws" / "awscli_get_metric_data_example1.json").read_bytes()
    with pytest.raises(MetricsFormatError, match="MetricDataQueries"):
        parse_bytes("x.json", data)


def test_cloudwatch_cpu_metric_stat_is_canonical() -> None:
    doc = {
        "MetricDataQueries": [
            {
                "Id": "cpu",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/EC2",
                        "MetricName": "CPUUtilization",
                        "Dimensions": [{"Name": "InstanceId", "Value": "i-0abc"}],
                    },
                    "Period": 3600,
                    "Stat": "Maximum",
                },
            }
        ],
        "MetricDataResults": [
            {"Id": "cpu", "Timestamps": ["2026-10-01T00:00:00Z", 1790000000], "Values": [3.5, 4.0]}
        ],
    }
    _, points = parse_bytes("cw.json", json.dumps(doc).encode())
    assert [(p.metric, p.statistic, p.value) for p in points] == [
        ("cpu_utilization", "maximum", 3.5),
        ("cpu_utilization", "maximum", 4.0),
    ]


def test_azure_monitor_metrics_list() -> None:
    data = (FIX / "azure" / "az_monitor_metrics_list_functions.json").read_bytes()
    fmt, points = parse_bytes("az_monitor_metrics_list_functions.json", data)
    assert fmt == "azure_monitor_json"
    assert len(points) == 4  # two metrics x two hours, only "total" is present
    units = [p for p in points if p.raw_metric == "FunctionExecutionUnits"]
    assert sum(p.value for p in units) == pytest.approx(793294592.0 + 316576256.0)
    assert {p.statistic for p in points} == {"total"}
    assert all(
        p.resource_id.endswith("/providers/microsoft.web/sites/metrics-testing-consumption")
        for p in points
    )
    assert units[0].timestamp == dt.datetime(2019, 9, 11, 21, 46, tzinfo=UTC)


def test_gcp_timeseries_docs_example(tmp_path: Path) -> None:
    text = (FIX / "gcp" / "cloud_monitoring_docs_timeseries_excerpt.txt").read_text()
    # the docs print a portion: drop its trailing commas and close the list and object
    closed = text.rstrip().rstrip(",").replace("},\n      ],", "}\n      ]") + "\n  ]\n}\n"
    closed = closed.replace("]\n    },\n  ]", "]\n    }\n  ]").replace("],\n    }", "]\n    }")
    path = tmp_path / "ts.json"
    path.write_text(closed)
    fmt, points = parse_bytes("ts.json", path.read_bytes())
    assert fmt == "gcp_timeseries_json"
    assert [p.value for p in points] == pytest.approx([0.473005, 0.473025])
    assert {p.resource_id for p in points} == {"2708613220420473591"}
    assert points[0].metric == "agent.googleapis.com/disk/percent_used"
    assert points[0].timestamp == dt.datetime(2020, 7, 27, 20, 20, 21, 597143, tzinfo=UTC)


def test_gcp_cpu_fraction_becomes_percent() -> None:
    doc = {
        "timeSeries": [
            {
                "metric": {
                    "type": "compute.googleapis.com/instance/cpu/utilization",
                    "labels": {"instance_name": "web-1"},
                },
                "resource": {"type": "gce_instance", "labels": {"instance_id": "42"}},
                "metricKind": "GAUGE",
                "points": [
                    {
                        "interval": {"endTime": "2026-10-01T00:00:00Z"},
                        "value": {"doubleValue": 0.25},
                    }
                ],
            }
        ]
    }
    _, points = parse_bytes("g.json", json.dumps(doc).encode())
    assert points[0].metric == "cpu_utilization" and points[0].value == pytest.approx(25.0)
    assert points[0].resource_name == "web-1"


def test_csv_long_format_and_azure_ids_lowercased() -> None:
    text = (
        "Timestamp,ResourceId,MetricName,Value,Unit\n"
        "2026-10-01T00:00:00Z,/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1,Percentage CPU,2.5,Percent\n"
        "2026-10-01T01:00:00Z,i-0abc,CPUUtilization,,Percent\n"
    )
    fmt, points = parse_bytes("m.csv", text.encode())
    assert fmt == "metrics_csv"
    assert len(points) == 1  # an empty value is a missing point, not a zero
    assert points[0].provider == "azure" and points[0].metric == "cpu_utilization"
    assert points[0].resource_id.startswith("/subscriptions/s/resourcegroups/rg/")


@pytest.mark.parametrize(
    ("name", "body", "match"),
    [
        ("a.json", b"{not json", "not valid UTF-8 JSON"),
        ("a.json", b"[1, 2]", "object at the top level"),
        ("a.json", b'{"foo": 1}', "unknown metrics JSON"),
        ("a.txt", b"x", "not a metrics file"),
        ("a.csv", b"time,value\n", "missing column"),
        ("a.csv", b"timestamp,resource_id,metric,value\nnope,i-1,cpu,1\n", "line 2: timestamp"),
        ("a.csv", b"timestamp,resource_id,metric,value\n2026-01-01,i-1,cpu,nan\n", "not finite"),
        ("a.json", b'{"value": [{"id": "/x", "name": {"value": "a"}}]}', "not an Azure resource"),
    ],
)
def test_bad_files_name_the_problem(name: str, body: bytes, match: str) -> None:
    with pytest.raises(MetricsFormatError, match=match):
        parse_bytes(name, body)


def test_errors_do_not_echo_file_content() -> None:
    secret = "AKIASECRETSECRETSECRET"
    with pytest.raises(MetricsFormatError) as err:
        parse_bytes("a.csv", f"timestamp,resource_id,metric,value\n{secret},i-1,cpu,1\n".encode())
    assert secret not in str(err.value)
