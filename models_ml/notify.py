"""Webhook notifications for new anomaly events and budget threshold crossings.

Webhooks are data (``examples/notifications/webhooks.yaml``, or the file ``SIBYL_WEBHOOKS_FILE``
names): a name, a URL, the environment variable holding its secret, which events it wants and a
minimum cost impact. Every delivery:

- is a Slack-compatible JSON body (``text`` + ``blocks``; the structured facts under ``sibyl``);
- carries ``X-Sibyl-Timestamp`` (Unix seconds), ``X-Sibyl-Delivery`` (the same on every retry) and
  ``X-Sibyl-Signature-256: v1=<hex>``, the HMAC-SHA256 with the webhook's secret of
  ``<timestamp>.<delivery id>.<raw body>``: a receiver that checks the signature, refuses a
  timestamp more than ``SIGNATURE_TOLERANCE_S`` (300 s) from its clock and remembers the delivery
  ids it accepted within that window cannot be replayed a captured delivery (``verify_delivery``);
- never follows a redirect, unless the webhook says ``redirects: same_host`` (then only to the same
  scheme, host and port, at most 3 hops, re-signed); a destination outside ``allowed_destinations``
  (the file's host allowlist, when it has one) is refused, at load time and on a redirect;
- is retried on connection errors, timeouts, 429 and 5xx with exponential backoff (urllib3's
  ``Retry``), other 4xx fail at once;
- is logged (``pending`` before sending, then ``delivered`` or ``failed`` with the attempts and the
  last error). The log keeps the webhook's name and its destination as ``scheme://host:port`` only:
  never the URL's path or query (Slack-style tokens live there), never a response body, and error
  messages are reduced to the error's kind. An event key delivered once to a webhook is never sent
  to it again; a failed one is tried again on the next run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

SIGNATURE_HEADER = "X-Sibyl-Signature-256"
TIMESTAMP_HEADER = "X-Sibyl-Timestamp"
DELIVERY_HEADER = "X-Sibyl-Delivery"
SIGNATURE_TOLERANCE_S = 300  # a receiver refuses deliveries signed longer ago (or ahead) than this
EVENT_TYPES = (
    "anomaly",
    "anomaly_escalated",
    "budget_threshold",
    "breaker_open",
    "savings",
    "statements",
)
REDIRECT_POLICIES = ("none", "same_host")
MAX_REDIRECTS = 3


class WebhookConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    secret: str
    events: tuple[str, ...] = EVENT_TYPES
    min_impact: float = 0.0  # anomaly events below this cost impact are not sent
    max_age_days: int = (
        7  # anomaly events that ended longer ago are not sent (first runs on history)
    )
    timeout_s: float = 5.0
    max_attempts: int = 4
    backoff_s: float = 0.5
    redirects: str = "none"  # none | same_host
    allowed_destinations: tuple[str, ...] = ()  # host allowlist ("" = any): exact or *.suffix

    @property
    def destination(self) -> str:
        """``scheme://host:port`` of the URL: what the delivery log may show of it."""
        return _origin(self.url)


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    u = urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    return f"{u.scheme}://{(u.hostname or '').lower()}:{port}"


def host_allowed(url: str, allowed: Sequence[str]) -> bool:
    """Whether ``url`` is http(s) and its host is in ``allowed`` (exact, or ``*.suffix``); every
    host is allowed when the list is empty."""
    from urllib.parse import urlsplit

    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        return False
    if not allowed:
        return True
    host = u.hostname.lower()
    for a in allowed:
        a = a.lower().strip()
        if a.startswith("*.") and (host.endswith(a[1:]) and host != a[2:]):
            return True
        if host == a:
            return True
    return False


@dataclass(frozen=True)
class Notification:
    key: str  # dedupe key: one delivery per webhook and key, ever
    event_type: str
    payload: dict[str, Any]
    impact: float | None = None  # anomalies: cost impact, against a webhook's min_impact
    age_days: int = 0  # anomalies: days since the event ended, against a webhook's max_age_days


def load_webhooks(path: str | Path, env: dict[str, str] | None = None) -> list[Webhook]:
    """Enabled webhooks from a YAML file; secrets come from the environment variables it names."""
    env = dict(os.environ) if env is None else env
    path = Path(path)
    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise WebhookConfigError(f"{path}: not valid YAML: {e}") from None
    allowed = doc.get("allowed_destinations") or []
    if not isinstance(allowed, list) or not all(isinstance(a, str) and a for a in allowed):
        raise WebhookConfigError(f"{path}: allowed_destinations must be a list of host names")
    hooks = []
    for i, h in enumerate(doc.get("webhooks") or [], start=1):
        where = f"{path}: webhook #{i}"
        if not isinstance(h, dict) or not h.get("name") or not h.get("url"):
            raise WebhookConfigError(f"{where}: needs at least name and url")
        if not h.get("enabled", True):
            continue
        secret_env = h.get("secret_env")
        if not secret_env:
            raise WebhookConfigError(
                f"{where} ({h['name']}): secret_env is required (payloads are signed)"
            )
        if not env.get(secret_env):
            raise WebhookConfigError(
                f"{where} ({h['name']}): environment variable {secret_env} is not set"
            )
        events = tuple(h.get("events") or EVENT_TYPES)
        bad = [e for e in events if e not in EVENT_TYPES]
        if bad:
            raise WebhookConfigError(
                f"{where} ({h['name']}): unknown event type(s) {bad}; use {EVENT_TYPES}"
            )
        redirects = str(h.get("redirects", "none"))
        if redirects not in REDIRECT_POLICIES:
            raise WebhookConfigError(
                f"{where} ({h['name']}): redirects must be one of {REDIRECT_POLICIES}"
            )
        if not host_allowed(str(h["url"]), allowed):
            # the message names the host, never the URL (its path may hold a token)
            raise WebhookConfigError(
                f"{where} ({h['name']}): destination {_origin(str(h['url']))} is not http(s) or "
                "not in allowed_destinations"
            )
        hooks.append(
            Webhook(
                str(h["name"]),
                str(h["url"]),
                env[secret_env],
                events,
                float(h.get("min_impact", 0)),
                int(h.get("max_age_days", 7)),
                float(h.get("timeout_s", 5)),
                int(h.get("max_attempts", 4)),
                float(h.get("backoff_s", 0.5)),
                redirects,
                tuple(allowed),
            )
        )
    return hooks


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(secret: str, body: bytes, timestamp: int | str, delivery: str) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>.<delivery id>." + body)>``."""
    signed = f"{timestamp}.{delivery}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str, body: bytes, header: str | None, timestamp: str | None, delivery: str | None
) -> bool:
    """Constant-time check of the signature header against the receiver's own HMAC."""
    if not header or not timestamp or not delivery:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp, delivery), str(header))


def verify_delivery(
    secret: str,
    body: bytes,
    headers: dict[str, str],
    seen: dict[str, float],
    *,
    now: float | None = None,
    tolerance_s: int = SIGNATURE_TOLERANCE_S,
) -> tuple[bool, str]:
    """What a receiver does with a delivery: the signature must match, the timestamp be within
    ``tolerance_s`` of its clock, and the delivery id not accepted before in that window (``seen``:
    delivery id -> when accepted, kept by the receiver; entries older than the window are dropped).
    Returns (accepted, reason)."""
    import time

    clock = time.time() if now is None else now
    ts, delivery = headers.get(TIMESTAMP_HEADER), headers.get(DELIVERY_HEADER)
    if not verify(secret, body, headers.get(SIGNATURE_HEADER), ts, delivery):
        return False, "bad signature"
    try:
        age = abs(clock - int(str(ts)))
    except ValueError:
        return False, "bad timestamp"
    if age > tolerance_s:
        return False, "timestamp outside the tolerance"
    for d in [d for d, t in seen.items() if clock - t > tolerance_s]:
        del seen[d]
    if str(delivery) in seen:
        return False, "replayed delivery id"
    seen[str(delivery)] = clock
    return True, "ok"


def delivery_id(webhook: str, key: str) -> str:
    return hashlib.sha256(f"{webhook}|{key}".encode()).hexdigest()[:24]


# ---- payloads --------------------------------------------------------------------------------


def _money(v: Any, cur: str) -> str:
    return f"{float(v):,.2f} {cur}"


def anomaly_notification(ev: dict[str, Any], last_day: dt.date | None = None) -> Notification:
    """The message for an anomaly event; ``last_day`` (of the data) dates its age."""
    cur = ev.get("currency") or "USD"
    title = f":rotating_light: Cost anomaly: {ev['scope_type']} {ev['scope_value']}"
    line = (
        f"{ev['start_date']} → {ev['end_date']}: {_money(ev['actual_cost'], cur)} against "
        f"{_money(ev['expected_cost'], cur)} expected (impact {_money(ev['cost_impact'], cur)}, "
        f"confidence {float(ev['confidence']):.0%}, methods {ev['methods']})"
    )
    cause = ev.get("root_cause_path") or "n/a"
    return Notification(
        key=f"anomaly:{ev['event_id']}",
        event_type="anomaly",
        impact=float(ev["cost_impact"]),
        age_days=(last_day - ev["end_date"]).days if last_day else 0,
        payload={
            "text": f"{title}\n{line}\nRoot cause: {cause}",
            "blocks": [
                {
                    "type": "header",
                    "text": {"type": "plain_text", "text": title.replace(":rotating_light: ", "")},
                },
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"{line}\n*Root cause:* {cause}"},
                },
            ],
            "sibyl": {
                "type": "anomaly",
                **{
                    k: ev.get(k)
                    for k in (
                        "event_id",
                        "scope_type",
                        "scope_value",
                        "provider",
                        "start_date",
                        "end_date",
                        "actual_cost",
                        "expected_cost",
                        "cost_impact",
                        "currency",
                        "confidence",
                        "methods",
                        "kind",
                        "ongoing",
                        "owner",
                        "root_cause_path",
                    )
                },
            },
        },
    )


def escalation_notification(ev: dict[str, Any]) -> Notification:
    """An open event nobody acknowledged by the lifecycle rule's age, sent once to its owner."""
    cur = ev.get("currency") or "USD"
    text = (
        f":alarm_clock: Unattended cost anomaly ({ev['age_days']} days old, owner "
        f"{ev.get('owner') or 'n/a'}): {ev['scope_type']} {ev['scope_value']} since "
        f"{ev['start_date']}, impact {_money(ev['cost_impact'], cur)}"
        + (" and still going" if ev.get("ongoing") else "")
        + ". Acknowledge or resolve it in the cockpit or with `sibyl anomalies`."
    )
    return Notification(
        key=f"anomaly_escalated:{ev['event_id']}",
        event_type="anomaly_escalated",
        payload={
            "text": text,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            "sibyl": {
                "type": "anomaly_escalated",
                **{
                    k: ev.get(k)
                    for k in (
                        "event_id",
                        "scope_type",
                        "scope_value",
                        "owner",
                        "age_days",
                        "start_date",
                        "end_date",
                        "ongoing",
                        "cost_impact",
                        "currency",
                    )
                },
            },
        },
    )


def budget_notifications(row: dict[str, Any]) -> list[Notification]:
    """One notification per threshold crossed this period, and one when the breaker opens."""
    out = []
    cur = row["currency"]
    base = {
        k: row.get(k)
        for k in (
            "budget_id",
            "scope",
            "period",
            "period_start",
            "period_end",
            "as_of_date",
            "budget_amount",
            "actual_cost_to_date",
            "projected_period_end_cost",
            "pct_used",
            "alert_level",
            "breaker_state",
            "currency",
        )
    }
    for t in [int(x) for x in str(row.get("thresholds_crossed") or "").split("|") if x]:
        text = (
            f":money_with_wings: Budget {row['budget_id']} ({row['scope']}) crossed {t}%: "
            f"{_money(row['actual_cost_to_date'], cur)} of {_money(row['budget_amount'], cur)} "
            f"({row['pct_used']:.1f}%) as of {row['as_of_date']}; projected "
            f"{_money(row['projected_period_end_cost'], cur)} by {row['period_end']}."
        )
        out.append(
            Notification(
                f"budget:{row['budget_id']}:{row['period_start']}:{t}",
                "budget_threshold",
                {
                    "text": text,
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                    "sibyl": {"type": "budget_threshold", "threshold_pct": t, **base},
                },
            )
        )
    if row.get("breaker_state") == "open":
        text = (
            f":no_entry: Budget circuit breaker OPEN for {row['scope']} ({row['budget_id']}): "
            f"{row.get('breaker_reason')}. Spending in this scope should stop until someone overrides it."
        )
        out.append(
            Notification(
                f"breaker:{row['budget_id']}:{row['period_start']}:open",
                "breaker_open",
                {
                    "text": text,
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                    "sibyl": {"type": "breaker_open", "reason": row.get("breaker_reason"), **base},
                },
            )
        )
    return out


# ---- delivery --------------------------------------------------------------------------------


def _session(h: Webhook) -> Any:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(
        total=h.max_attempts - 1,
        connect=h.max_attempts - 1,
        read=h.max_attempts - 1,
        status=h.max_attempts - 1,
        backoff_factor=h.backoff_s,
        backoff_max=30,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"POST"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    s = requests.Session()
    s.trust_env = False  # no proxies or .netrc credentials from the environment
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def log_row(
    h: Webhook, n: Notification, status: str, sent_at: dt.datetime, attempts: int = 0
) -> dict[str, Any]:
    """A row of the delivery log (``pending`` before sending; ``deliver`` completes its own)."""
    return {
        "delivery_id": delivery_id(h.name, n.key),
        "webhook": h.name,
        "destination": h.destination,
        "event_key": n.key,
        "event_type": n.event_type,
        "status": status,
        "attempts": attempts,
        "http_status": None,
        "last_error": None,
        "sent_at": sent_at,
        "finished_at": None,
    }


def deliver(
    h: Webhook,
    n: Notification,
    now: Callable[[], dt.datetime] | None = None,
) -> dict[str, Any]:
    """POST one notification (with retries; redirects by the webhook's policy); returns its
    delivery-log row, which holds no URL path, no response body and no raw error text."""
    import requests

    clock = now or (lambda: dt.datetime.now(dt.UTC))
    body = body_bytes(n.payload)
    did = delivery_id(h.name, n.key)
    row = log_row(h, n, "failed", clock(), attempts=h.max_attempts)
    url, attempts = h.url, 0
    with _session(h) as s:
        for _hop in range(MAX_REDIRECTS + 1):
            if not host_allowed(url, h.allowed_destinations):
                row["last_error"] = "destination not allowed"
                break
            ts = str(int(clock().timestamp()))
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(h.secret, body, ts, did),
                TIMESTAMP_HEADER: ts,
                DELIVERY_HEADER: did,
                "X-Sibyl-Event": n.event_type,
                "User-Agent": "sibyl-notify/2",
            }
            try:
                r = s.post(
                    url,
                    data=body,
                    headers=headers,
                    timeout=h.timeout_s,
                    allow_redirects=False,
                    stream=True,  # the body is never downloaded
                )
            except requests.RequestException as e:
                attempts += h.max_attempts
                row["last_error"] = f"{type(e).__name__} contacting {_origin(url)}"
                break
            history = getattr(getattr(r.raw, "retries", None), "history", ()) or ()
            attempts += len(history) + 1
            row["http_status"] = r.status_code
            r.close()  # the response body is never read
            if 200 <= r.status_code < 300:
                row["status"], row["last_error"] = "delivered", None
                break
            location = r.headers.get("Location")
            if 300 <= r.status_code < 400 and location:
                from urllib.parse import urljoin

                target = urljoin(url, location)
                if h.redirects == "same_host" and _origin(target) == _origin(url):
                    url = target
                    continue
                row["last_error"] = f"HTTP {r.status_code}: redirect to {_origin(target)} refused"
                break
            row["last_error"] = f"HTTP {r.status_code}"
            break
        else:
            row["last_error"] = f"more than {MAX_REDIRECTS} redirects"
    row["attempts"] = attempts
    row["finished_at"] = clock()
    return row


def plan_deliveries(
    webhooks: Sequence[Webhook],
    notifications: Iterable[Notification],
    delivered: set[tuple[str, str]],
) -> list[tuple[Webhook, Notification]]:
    """Pairs to send: the webhook wants the event type, the key was not delivered to it yet, and an
    anomaly is big enough (``min_impact``) and recent enough (``max_age_days``) for it."""
    todo = []
    for n in notifications:
        for h in webhooks:
            if n.event_type not in h.events or (h.name, n.key) in delivered:
                continue
            if n.impact is not None and (
                abs(n.impact) < h.min_impact or n.age_days > h.max_age_days
            ):
                continue
            todo.append((h, n))
    return todo
