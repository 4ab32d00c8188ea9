"""Webhook delivery against real HTTP receivers on 127.0.0.1: signatures over timestamp and delivery
id, replay refused, redirects refused (or same host only), the destination allowlist, retries with
backoff, a receiver that fails then recovers, a delivery log without URL secrets or response
bodies, and send-once dedupe through the runner."""

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
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Notification,
    Webhook,
    WebhookConfigError,
    anomaly_notification,
    budget_notifications,
    deliver,
    load_webhooks,
    verify,
    verify_delivery,
)
from models_ml.runs import EVENT_SCHEMA, delivery_log, run_notifications

SECRET = "s3cr3t-for-tests"


class Receiver:
    """A webhook receiver that verifies the signature and can fail the first N requests."""

    def __init__(
        self,
        fail_first: int = 0,
        status: int = 503,
        redirect_to: str | None = None,
        body: bytes = b"ok",
    ) -> None:
        self.fail_first, self.status, self.redirect_to, self.body = (
            fail_first,
            status,
            redirect_to,
            body,
        )
        self.requests: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.seen: dict[str, float] = {}  # delivery ids accepted (replay guard)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers)
                ok = verify(
                    SECRET,
                    body,
                    headers.get(SIGNATURE_HEADER),
                    headers.get(TIMESTAMP_HEADER),
                    headers.get(DELIVERY_HEADER),
                )
                receiver.requests.append(
                    {"body": body, "headers": headers, "signature_ok": ok, "path": self.path}
                )
                if not ok:
                    receiver.bad_signatures += 1
                    self.send_response(401)
                elif receiver.redirect_to and self.path == "/hook":
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                elif len(receiver.requests) <= receiver.fail_first:
                    self.send_response(receiver.status)
                else:
                    self.send_response(200)
                self.end_headers()
                self.wfile.write(receiver.body)

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
    h = req["headers"]
    ts, did = h[TIMESTAMP_HEADER], h[DELIVERY_HEADER]
    assert not verify("wrong-secret", req["body"], h[SIGNATURE_HEADER], ts, did)
    assert not verify(SECRET, req["body"] + b" ", h[SIGNATURE_HEADER], ts, did)
    # the signature covers the timestamp and the delivery id: neither can be swapped
    assert not verify(SECRET, req["body"], h[SIGNATURE_HEADER], str(int(ts) + 1), did)
    assert not verify(SECRET, req["body"], h[SIGNATURE_HEADER], ts, "another-delivery")


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


def _replay(url: str, req: dict[str, Any]) -> None:
    """Send a captured delivery again, byte for byte, as an attacker who recorded it would."""
    import requests

    keep = (SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, "Content-Type", "X-Sibyl-Event")
    requests.post(url, data=req["body"], headers={k: req["headers"][k] for k in keep}, timeout=5)


def test_a_captured_delivery_cannot_be_replayed() -> None:
    seen: dict[str, float] = {}
    decisions: list[tuple[bool, str]] = []
    with Receiver() as r:
        row = deliver(hook(r.url), anomaly_notification(EVENT))
        assert row["status"] == "delivered"
        _replay(r.url, r.requests[0])  # the same bytes again, a minute later or an hour later
        assert len(r.requests) == 2 and r.requests[1]["signature_ok"]  # HMAC alone cannot tell
        first, again = r.requests
    now = float(first["headers"][TIMESTAMP_HEADER])
    for req, at in ((first, now + 1), (again, now + 60), (again, now + 3600)):
        decisions.append(verify_delivery(SECRET, req["body"], req["headers"], seen, now=at))
    assert decisions == [
        (True, "ok"),
        (False, "replayed delivery id"),  # within the tolerance: the id was seen
        (False, "timestamp outside the tolerance"),  # later: too old, whatever the id
    ]
    forged = {**first["headers"], TIMESTAMP_HEADER: str(int(now) + 3600)}  # a fresh timestamp
    assert verify_delivery(SECRET, first["body"], forged, {}, now=now + 3600) == (
        False,
        "bad signature",
    )


def test_redirects_are_not_followed_by_default() -> None:
    with Receiver() as elsewhere, Receiver(redirect_to=None) as origin:
        origin.redirect_to = elsewhere.url
        row = deliver(hook(origin.url), anomaly_notification(EVENT))
    assert row["status"] == "failed" and row["http_status"] == 302
    assert "redirect" in row["last_error"] and "refused" in row["last_error"]
    assert elsewhere.requests == []  # the payload never reached the other host


def test_same_host_redirects_only_when_configured() -> None:
    with Receiver() as r:
        r.redirect_to = r.url.replace("/hook", "/moved")  # same scheme, host and port
        refused = deliver(hook(r.url), anomaly_notification(EVENT))
        followed = deliver(hook(r.url, redirects="same_host"), anomaly_notification(EVENT))
    assert refused["status"] == "failed" and [q["path"] for q in r.requests[:1]] == ["/hook"]
    assert followed["status"] == "delivered"
    assert [q["path"] for q in r.requests[1:]] == ["/hook", "/moved"]
    assert all(q["signature_ok"] for q in r.requests)
    with Receiver() as other, Receiver() as r2:  # another port is another host
        r2.redirect_to = other.url
        row = deliver(hook(r2.url, redirects="same_host"), anomaly_notification(EVENT))
    assert row["status"] == "failed" and other.requests == []


def test_destinations_outside_the_allowlist_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "hooks.yaml"
    f.write_text(
        "allowed_destinations: [hooks.slack.com, '*.example.org']\n"
        "webhooks:\n  - name: a\n    url: http://127.0.0.1:9/services/T1/B2/tok3n\n    secret_env: S\n"
    )
    with pytest.raises(WebhookConfigError, match="not in allowed_destinations") as e:
        load_webhooks(f, env={"S": "k"})
    assert "tok3n" not in str(e.value) and "http://127.0.0.1:9" in str(e.value)
    f.write_text(
        "allowed_destinations: [hooks.slack.com, '*.example.org']\n"
        "webhooks:\n  - name: a\n    url: https://alerts.example.org/x\n    secret_env: S\n"
        "  - name: b\n    url: https://hooks.slack.com/services/T/B/X\n    secret_env: S\n"
    )
    assert [h.name for h in load_webhooks(f, env={"S": "k"})] == ["a", "b"]
    f.write_text("webhooks:\n  - name: a\n    url: file:///etc/passwd\n    secret_env: S\n")
    with pytest.raises(WebhookConfigError, match="not http"):
        load_webhooks(f, env={"S": "k"})
    with Receiver() as r:  # a hook built in code is checked when it sends, too
        row = deliver(
            hook(r.url, allowed_destinations=("hooks.slack.com",)), anomaly_notification(EVENT)
        )
    assert row["status"] == "failed" and row["last_error"] == "destination not allowed"
    assert r.requests == []


def test_the_delivery_log_keeps_no_url_secret_and_no_response_body(tmp_path: Path) -> None:
    token = "T0SECRET/B0SECRET/XXXXSECRETXXXX"
    with Receiver(fail_first=10, status=500, body=b"internal error: db password=hunter2") as r:
        url = r.url.replace("/hook", f"/services/{token}")
        failed = deliver(hook(url, max_attempts=2), anomaly_notification(EVENT))
    unreachable = deliver(hook(url, max_attempts=1, timeout_s=0.5), anomaly_notification(EVENT))
    assert failed["status"] == unreachable["status"] == "failed"
    assert failed["last_error"] == "HTTP 500"
    assert unreachable["last_error"].startswith("ConnectionError contacting http://127.0.0.1:")
    lake = str(tmp_path / "lake")
    from models_ml.runs import DELIVERY_SCHEMA

    store.append_log(
        lake, "webhook_deliveries", pl.DataFrame([failed, unreachable], schema=DELIVERY_SCHEMA)
    )
    stored = store.read_table(lake, "webhook_deliveries")
    text = json.dumps(stored.to_dicts(), default=str)
    assert "SECRET" not in text and "hunter2" not in text and "/services" not in text
    assert set(stored["destination"]) == {url.split("/services")[0]}


def test_the_example_webhooks_file_loads() -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "notifications" / "webhooks.yaml"
    assert load_webhooks(example, env={}) == []  # its only entry is disabled: nothing to send
