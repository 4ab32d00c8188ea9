"""Webhook delivery against real HTTP receivers on 127.0.0.1: signatures, retries with backoff,
a receiver that fails then recovers, the delivery log, and send-once dedupe through the runner."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from models_ml import store
from models_ml.notify import (
    SIGNATURE_HEADER,
    Notification,
    Webhook,
    WebhookConfigError,
    anomaly_notification,
    budget_notifications,
    deliver,
    load_webhooks,
    verify,
)
from models_ml.runs import EVENT_SCHEMA, delivery_log, run_notifications

SECRET = "s3cr3t-for-tests"


class Receiver:
    """A webhook receiver that verifies the signature and can fail the first N requests."""

    def __init__(self, fail_first: int = 0, status: int = 503) -> None:
        self.fail_first, self.status = fail_first, status
        self.requests: list[dict[str, Any]] = []
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(SECRET, body, self.headers.get(SIGNATURE_HEADER))
                receiver.requests.append(
                    {"body": body, "headers": dict(self.headers), "signature_ok": ok}
                )
                if not ok:
                    receiver.bad_signatures += 1
                    self.send_response(401)
                elif len(receiver.requests) <= receiver.fail_first:
                    self.send_response(receiver.status)
                else:
                    self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def hook(url: str, **kw: Any) -> Webhook:
    return Webhook("test", url, SECRET, backoff_s=0.01, **kw)


EVENT = {
    "event_id": "abc123",
    "scope_type": "team",
    "scope_value": "ci-cd",
    "currency": "USD",
    "start_date": dt.date(2026, 10, 9),
    "end_date": dt.date(2026, 10, 11),
    "actual_cost": 1800.0,
    "expected_cost": 220.0,
    "cost_impact": 1580.0,
    "confidence": 0.99,
    "methods": "iqr,prophet,zscore",
    "root_cause_path": "556677889900 › Amazon Bedrock › us-west-2 › tokens (100%)",
}


def test_signed_slack_compatible_delivery(receiver: Receiver) -> None:
    row = deliver(hook(receiver.url), anomaly_notification(EVENT))
    assert row["status"] == "delivered" and row["attempts"] == 1 and row["http_status"] == 200
    [req] = receiver.requests
    assert req["signature_ok"]
    payload = json.loads(req["body"])
    assert (
        "Cost anomaly: team ci-cd" in payload["text"] and payload["blocks"][0]["type"] == "header"
    )
    assert payload["sibyl"]["event_id"] == "abc123"
    assert (
        req["headers"]["X-Sibyl-Event"] == "anomaly"
        and req["headers"]["X-Sibyl-Delivery"] == row["delivery_id"]
    )
    assert not verify("wrong-secret", req["body"], req["headers"][SIGNATURE_HEADER])
    assert not verify(SECRET, req["body"] + b" ", req["headers"][SIGNATURE_HEADER])


def test_a_receiver_that_fails_then_recovers_gets_it_with_backoff() -> None:
    with Receiver(fail_first=2) as r:
        row = deliver(hook(r.url, max_attempts=4), anomaly_notification(EVENT))
    assert row["status"] == "delivered" and row["attempts"] == 3
    assert len(r.requests) == 3 and all(q["signature_ok"] for q in r.requests)
    assert (
        len({q["headers"]["X-Sibyl-Delivery"] for q in r.requests}) == 1
    )  # same id on every retry


def test_giving_up_after_max_attempts_and_not_retrying_client_errors() -> None:
    with Receiver(fail_first=10) as r:
        row = deliver(hook(r.url, max_attempts=3), anomaly_notification(EVENT))
    assert row["status"] == "failed" and row["attempts"] == 3 and "503" in row["last_error"]
    with Receiver(fail_first=10, status=400) as r:
        row = deliver(hook(r.url, max_attempts=3), anomaly_notification(EVENT))
    assert row["status"] == "failed" and row["attempts"] == 1 and len(r.requests) == 1


def test_unreachable_and_slow_receivers_fail_cleanly() -> None:
    with Receiver() as r:
        url = r.url
    row = deliver(hook(url, max_attempts=2, timeout_s=0.5), anomaly_notification(EVENT))
    assert row["status"] == "failed" and "Error" in row["last_error"]


def test_budget_crossings_make_one_notification_per_threshold() -> None:
    row = {
        "budget_id": "net",
        "scope": "team:networking",
        "period": "monthly",
        "period_start": dt.date(2026, 11, 1),
        "period_end": dt.date(2026, 11, 30),
        "as_of_date": dt.date(2026, 11, 23),
        "currency": "USD",
        "budget_amount": Decimal("14000"),
        "actual_cost_to_date": Decimal("11695.35"),
        "projected_period_end_cost": Decimal("15270.00"),
        "pct_used": 83.54,
        "alert_level": "orange",
        "thresholds_crossed": "50|80",
        "breaker_state": "open",
        "breaker_reason": "because",
    }
    notes = budget_notifications(row)
    assert [n.key for n in notes] == [
        "budget:net:2026-11-01:50",
        "budget:net:2026-11-01:80",
        "breaker:net:2026-11-01:open",
    ]
    assert "crossed 80%" in notes[1].payload["text"] and notes[2].event_type == "breaker_open"


def test_webhook_config_is_validated(tmp_path: Path) -> None:
    f = tmp_path / "hooks.yaml"
    f.write_text(
        "webhooks:\n  - name: a\n    url: http://127.0.0.1:1/x\n    secret_env: HOOK_SECRET\n    events: [anomaly]\n"
        "  - name: paused\n    url: http://x\n    enabled: false\n"
    )
    with pytest.raises(WebhookConfigError, match="HOOK_SECRET is not set"):
        load_webhooks(f, env={})
    [h] = load_webhooks(f, env={"HOOK_SECRET": "k"})
    assert h.secret == "k" and h.events == ("anomaly",)
    f.write_text(
        "webhooks:\n  - name: a\n    url: http://x\n    secret_env: S\n    events: [everything]\n"
    )
    with pytest.raises(WebhookConfigError, match="unknown event type"):
        load_webhooks(f, env={"S": "k"})
    assert load_webhooks(tmp_path / "missing.yaml") == []


def test_runner_sends_each_event_once_and_retries_failures_next_run(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    ev = {
        **EVENT,
        "series_id": "team:ci-cd|USD",
        "anomalous_days": 3,
        "max_score": 9.0,
        "direction": "up",
        "root_cause_json": "{}",
        "first_detected_at": dt.datetime.now(dt.UTC),
        "last_detected_at": dt.datetime.now(dt.UTC),
        "detected_in_last_run": True,
    }
    store.write_table(
        lake, "anomaly_events/events.parquet", pl.DataFrame([ev], schema=EVENT_SCHEMA)
    )
    cfg = tmp_path / "hooks.yaml"
    with Receiver(fail_first=3) as r:
        cfg.write_text(
            f"webhooks:\n  - name: rx\n    url: {r.url}\n    secret_env: RX_SECRET\n    max_attempts: 2\n    backoff_s: 0.01\n"
        )
        env = {"RX_SECRET": SECRET}
        first = run_notifications(lake, str(cfg), env=env)  # 2 attempts, both 503
        assert first == {
            "webhooks": 1,
            "sent": 1,
            "delivered": 0,
            "failed": 1,
            "skipped_already_delivered": 0,
        }
        second = run_notifications(lake, str(cfg), env=env)  # 3rd 503, 4th ok
        assert second["delivered"] == 1
        third = run_notifications(lake, str(cfg), env=env)
        assert third["sent"] == 0 and third["skipped_already_delivered"] == 1
        assert len(r.requests) == 4 and r.bad_signatures == 0
    log = delivery_log(lake)
    assert log.height == 1 and log["status"][0] == "delivered"
    raw = store.read_table(lake, "webhook_deliveries")
    assert sorted(raw["status"].to_list()) == ["delivered", "failed", "pending", "pending"]


def test_notification_keys_are_the_dedupe_identity() -> None:
    n = Notification("k", "anomaly", {"text": "x"})
    assert anomaly_notification(EVENT).key == "anomaly:abc123" and n.key == "k"


def test_plan_skips_small_old_delivered_and_unwanted_events() -> None:
    from models_ml.notify import plan_deliveries

    hooks = [
        Webhook("big", "http://x", SECRET, events=("anomaly",), min_impact=1000, max_age_days=7),
        Webhook("all", "http://y", SECRET, max_age_days=7),
    ]
    recent = anomaly_notification(
        EVENT, last_day=dt.date(2026, 10, 13)
    )  # impact 1580, ended 2 days before
    old = anomaly_notification({**EVENT, "event_id": "old"}, last_day=dt.date(2026, 11, 30))
    small = anomaly_notification(
        {**EVENT, "event_id": "small", "cost_impact": 50.0}, last_day=dt.date(2026, 10, 11)
    )
    budget = Notification("budget:b:2026-10-01:80", "budget_threshold", {"text": "x"})
    todo = {
        (h.name, n.key)
        for h, n in plan_deliveries(hooks, [recent, old, small, budget], {("all", "anomaly:small")})
    }
    assert todo == {
        ("big", "anomaly:abc123"),
        ("all", "anomaly:abc123"),
        ("all", "budget:b:2026-10-01:80"),
    }
    assert recent.age_days == 2 and old.age_days == 50
