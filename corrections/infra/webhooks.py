"""Webhooks: admins register URLs for events; each event becomes a signed JSON delivery, queued and retried.

`emit()` is called where an event happens, in the same transaction as the change: a delivery exists
exactly when the change does. Deliveries are sent later, never inside a web request, by the
background sender of `corrections serve` or by `corrections send-webhooks`, with the claiming and
back-off the e-mail outbox uses (retry_queue). A receiver that is down or answers an error loses
nothing: the delivery is tried again with growing delays. Deliveries go only to public internet addresses
(outbound), checked when an endpoint is saved and again, on the address connected to, at each delivery.

Each delivery is signed: X-Corrections-Signature is "sha256=" and the hex HMAC-SHA256, keyed with the
endpoint's secret, of "<X-Corrections-Timestamp>.<raw body>". The timestamp is signed so a captured
delivery cannot be replayed later with a fresh one; X-Corrections-Delivery (also the body's "id")
lets a receiver drop a delivery it has already seen. README ("Webhooks") shows how to check it.
"""

import hashlib
import hmac
import http.client
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from werkzeug.routing import BuildError

from corrections import languages
from corrections.errors import Refusal
from corrections.extensions import db
from corrections.infra import outbound, retry_queue
from corrections.models import (
    Article,
    Editor,
    Notice,
    Report,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from corrections.text import is_http_url
from corrections.vocabulary import NOTICE_KINDS

# The events an endpoint can subscribe to, with what the admin page says about each.
EVENTS = {
    "report.created": _l("A reader filed a report (reports held as spam are not sent)."),
    "report.status_changed": _l("A report moved to another status (reviewed, accepted, rejected, corrected…)."),
    "correction.published": _l("A correction or other notice was published on an article."),
    "correction.amended": _l("A published notice was changed (the earlier text is in the delivery)."),
    "correction.withdrawn": _l("A published notice was withdrawn."),
    "article.unannounced_change": _l("A published article changed and no notice followed within the grace period."),
}
# Sent only by the "Send a test delivery" button, to the one endpoint.
PING = "ping"

URL_MAX = 2000
URL_MISSING = _l("Enter the address to send the events to, e.g. https://hooks.example.org/corrections.")
DESCRIPTION_MAX = 200
# Said after the address that was refused, in the delivery log (check_url says it in the admin's language).
PRIVATE_REFUSED = ("Webhooks go only to public internet addresses, so that nobody can use them to reach the "
                   "newsroom's internal network (the server's setting WEBHOOK_ALLOW_PRIVATE allows them).")
NOT_SENT = "Not sent: "
SECRET_PREFIX = "whsec_"
USER_AGENT = "corrections-webhooks/1"
SIGNATURE_HEADER = "X-Corrections-Signature"
TIMESTAMP_HEADER = "X-Corrections-Timestamp"
DELIVERY_HEADER = "X-Corrections-Delivery"
EVENT_HEADER = "X-Corrections-Event"
# How much of a receiver's answer is kept to show the admin why it failed.
ANSWER_KEPT = 300
RECENT = 50


class WebhookError(Refusal):
    """A refused webhook operation; the message is for the admin (`field` names the form field)."""

    field = "url"


# --- Endpoints ----------------------------------------------------------------------------------------------

def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_url(url: str) -> str:
    """The URL as it will be called, or WebhookError saying what is wrong with it."""
    url = url.strip()
    if not url:
        raise WebhookError(str(URL_MISSING))
    if len(url) > URL_MAX:
        raise WebhookError(gettext("Please keep the address under %(most)s characters.",
                                   most=languages.number(URL_MAX)))
    if not is_http_url(url):
        raise WebhookError(gettext("Use an http:// or https:// address, e.g. https://hooks.example.org/corrections."))
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise WebhookError(gettext("Leave the user name and password out of the address: the signature on each "
                                   "delivery tells your receiver it came from here."))
    try:
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        raise WebhookError(gettext("The port in the address is not a valid port number.")) from None
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        try:
            outbound.check_url(url)
        except outbound.Refused as refused:
            # Translators: %(refused)s is a sentence in English naming the address and what kind it is.
            raise WebhookError(gettext(
                "%(refused)s Webhooks go only to public internet addresses, so that nobody can use them to reach the "
                "newsroom's internal network (the server's setting WEBHOOK_ALLOW_PRIVATE allows them).",
                refused=refused)) from None
    return url


def check_events(names: list[str]) -> str:
    chosen = [name for name in EVENTS if name in names]
    unknown = sorted(set(names) - EVENTS.keys())
    if unknown:
        raise WebhookError(gettext("Unknown event “%(event)s”.", event=unknown[0][:60]), field="events")
    if not chosen:
        raise WebhookError(gettext("Choose at least one event to send."), field="events")
    return " ".join(chosen)


def check_description(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_MAX:
        raise WebhookError(gettext("Please keep the description under %(most)s characters.",
                                   most=languages.number(DESCRIPTION_MAX)), field="description")
    return text


def create_endpoint(url: str, events: list[str], *, description: str = "", by: Editor) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (shown to the admin this once, once committed)."""
    endpoint = WebhookEndpoint(url=check_url(url), events=check_events(events),
                               description=check_description(description), secret=new_secret(), created_by=by.name)
    db.session.add(endpoint)
    return endpoint, endpoint.secret


def update_endpoint(endpoint: WebhookEndpoint, url: str, events: list[str], *, description: str = "") -> None:
    """Change where an endpoint's deliveries go and which events it gets (waiting deliveries go to the new URL)."""
    endpoint.url = check_url(url)
    endpoint.events = check_events(events)
    endpoint.description = check_description(description)


def rotate_secret(endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret; deliveries sent from now on are signed with it. Returns it."""
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = utcnow()
    return endpoint.secret


def set_active(endpoint: WebhookEndpoint, active: bool) -> int:
    """Enable or disable an endpoint. Disabling cancels its waiting deliveries (an admin can re-send each);
    returns how many were cancelled."""
    endpoint.active = active
    if active:
        return 0
    result = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
        .values(status="cancelled", last_error=retry_queue.DISABLED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its delivery log."""
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)


def all_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(
        select(WebhookEndpoint).order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.id)))


def waiting_counts() -> dict[int, dict[str, int]]:
    """Pending and failed deliveries by endpoint, for the list of endpoints (one query)."""
    counts: dict[int, dict[str, int]] = {}
    for endpoint_id, status, n in db.session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count(WebhookDelivery.id))
        .where(WebhookDelivery.status.in_(("pending", "failed")))
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)
    ):
        counts.setdefault(endpoint_id, {})[status] = n
    return counts


def recent_deliveries(endpoint: WebhookEndpoint, limit: int = RECENT) -> list[WebhookDelivery]:
    return list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


def shown_error(error: str) -> str:
    """A delivery's last error as the admin's page shows it: the app's own words in the page's language (the
    address refused, named by outbound in English, kept), anything else as stored."""
    if error.startswith(NOT_SENT) and error.endswith(" " + PRIVATE_REFUSED):
        # Translators: %(refused)s is a sentence in English naming the address and what kind it is.
        return gettext("Not sent: %(refused)s Webhooks go only to public internet addresses, so that nobody can use "
                       "them to reach the newsroom's internal network (the server's setting WEBHOOK_ALLOW_PRIVATE "
                       "allows them).", refused=error[len(NOT_SENT):-len(PRIVATE_REFUSED) - 1])
    return retry_queue.shown_error(error)


def resend(delivery: WebhookDelivery) -> None:
    """Queue a failed or cancelled delivery again, at once, with the same id and body."""
    if delivery.status not in ("failed", "cancelled"):
        if delivery.status == "sent":
            raise WebhookError(gettext("Only a failed or cancelled delivery can be sent again; this one is delivered."))
        raise WebhookError(gettext("Only a failed or cancelled delivery can be sent again; this one is pending."))
    if not delivery.endpoint.active:
        raise WebhookError(gettext("The endpoint is disabled: enable it first."))
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    # One more try, then the usual back-off (a delivery that had failed for good gets a fresh allowance).
    delivery.attempts = min(delivery.attempts, retry_queue.MAX_ATTEMPTS - 1)


# --- Events -------------------------------------------------------------------------------------------------

# Built once: every report filed asks which endpoints want its event, and most sites have none.
ACTIVE_SUBSCRIPTIONS = select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.active.is_(True))


# Inside subscriptions_read_once(): the active endpoints, read at the first event (None until then).
_read_once: ContextVar[list[WebhookEndpoint] | None | bool] = ContextVar("webhook_endpoints_read_once", default=False)


@contextmanager
def subscriptions_read_once() -> Iterator[None]:
    """Within the block, the endpoints and what they subscribe to are read at the first event only: one change
    of many reports (a bulk step) emits an event for each, and reading them for each would cost a query each."""
    if _read_once.get() is not False:
        yield  # an enclosing block reads them
        return
    token = _read_once.set(None)
    try:
        yield
    finally:
        _read_once.reset(token)


def _active_endpoints() -> list[WebhookEndpoint]:
    kept = _read_once.get()
    if isinstance(kept, list):
        return kept
    active = [endpoint_id for endpoint_id, _ in db.session.execute(ACTIVE_SUBSCRIPTIONS)]
    found = list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(active)))) if active else []
    if kept is None:
        _read_once.set(found)
    return found


def emit(event: str, data: dict | Callable[[], dict]) -> int:
    """Queue a delivery of `event` for every active endpoint subscribed to it; returns how many.

    `data` may be a function that builds the payload, so it is built only when some endpoint wants
    the event. Called in the transaction of the change the event reports, which commits both. Does not commit.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    wanted = [endpoint for endpoint in _active_endpoints() if event in endpoint.events.split()]
    if not wanted:
        return 0
    payload = data() if callable(data) else data
    for endpoint in wanted:
        _queue(endpoint, event, payload)
    return len(wanted)


def ping(endpoint: WebhookEndpoint, *, by: Editor) -> WebhookDelivery:
    """A test delivery to one endpoint, to check the receiver and its signature check."""
    if not endpoint.active:
        raise WebhookError(gettext("The endpoint is disabled: enable it first."))
    return _queue(endpoint, PING, {"message": "A test delivery sent from the dashboard.", "by": by.name,
                                   "events": endpoint.event_names})


def _queue(endpoint: WebhookEndpoint, event: str, data: dict) -> WebhookDelivery:
    uid = str(uuid.uuid4())
    now = utcnow()
    body = json.dumps({"id": uid, "event": event, "created_at": now.isoformat(), "data": data},
                      ensure_ascii=False, separators=(",", ":"))
    delivery = WebhookDelivery(endpoint=endpoint, uid=uid, event=event, body=body, created_at=now,
                               next_attempt_at=now)
    db.session.add(delivery)
    return delivery


def external_url(endpoint: str, **values) -> str | None:
    """An absolute link into the app, or None where none can be built (a command without SERVER_NAME)."""
    try:
        return url_for(endpoint, **values, _external=True)
    except (RuntimeError, BuildError):
        return None


def article_data(article: Article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "canonical_url": article.canonical_url,
        "section": article.section,
        "url": external_url("public.article", slug=article.slug),
    }


def report_data(report: Report) -> dict:
    """A report as receivers see it: what was reported and where, never who reported it."""
    return {
        "id": report.id,
        "reference": report.reference,
        "status": report.status,
        "category": report.category,
        "passage": report.passage,
        "description": report.description,
        "suggested_correction": report.suggested_correction,
        "source_url": report.source_url,
        "created_at": report.created_at.isoformat() if report.created_at else utcnow().isoformat(),
        "article": article_data(report.article),
        "dashboard_url": external_url("editor.report", report_id=report.id) if report.id else None,
    }


def notice_data(notice: Notice) -> dict:
    # Receivers read one language whoever acted: the site's.
    with languages.speaking(None):
        kind_label = str(NOTICE_KINDS.get(notice.kind, notice.kind))
    return {
        "id": notice.id,
        "kind": notice.kind,
        "kind_label": kind_label,
        "text": notice.text,
        "wrong_text": notice.wrong_text or "",
        "right_text": notice.right_text or "",
        "published_at": notice.published_at.isoformat() if notice.published_at else utcnow().isoformat(),
        "updated_at": notice.updated_at.isoformat() if notice.updated_at else None,
        "withdrawn_at": notice.withdrawn_at.isoformat() if notice.withdrawn_at else None,
        "published_by": notice.published_by,
        "reports": [r.reference for r in notice.reports],
        "article": article_data(notice.article),
    }


# --- Sending ------------------------------------------------------------------------------------------------

def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Corrections-Signature value for a body sent at `timestamp` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class DeliveryFailed(Exception):
    """The receiver did not take the delivery; `status_code` is its HTTP answer, if it gave one.

    `refused`: the delivery was not even tried (the address is not a public one); trying again will not help.
    """

    def __init__(self, message: str, status_code: int | None = None, unreachable: bool = False,
                 refused: bool = False):
        super().__init__(message)
        self.status_code = status_code
        self.unreachable = unreachable
        self.refused = refused


def post(delivery: WebhookDelivery) -> int:
    """Send one delivery now; returns the receiver's 2xx status, or raises DeliveryFailed.

    The host is resolved here, every address is checked (unless WEBHOOK_ALLOW_PRIVATE), and the
    connection goes to those addresses: what was checked is what is reached. Redirects are never followed.
    """
    endpoint = delivery.endpoint
    host, port = outbound.host_and_port(endpoint.url)
    try:
        addresses = outbound.resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise DeliveryFailed(f"{host} could not be resolved: {retry_queue.describe(error)}", unreachable=True) from None
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        try:
            outbound.check_addresses(host, addresses)
        except outbound.Refused as refused:
            raise DeliveryFailed(f"{NOT_SENT}{refused} {PRIVATE_REFUSED}", refused=True) from None
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Connection": "close",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.uid,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT") or 5)
    connection = outbound.connection(endpoint.url, addresses, timeout)
    try:
        connection.request("POST", outbound.target(endpoint.url), body, headers)
        response = connection.getresponse()
        status, reason = response.status, response.reason
        answer = response.read(ANSWER_KEPT)
    except outbound.PinnedConnectionError as error:
        raise DeliveryFailed(str(error), unreachable=True) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        # Refused, reset, timed out, TLS failure, not speaking HTTP: the receiver could not be reached.
        raise DeliveryFailed(retry_queue.describe(error), unreachable=True) from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return status
    excerpt = " ".join(answer.decode("utf-8", "replace").split())[:ANSWER_KEPT]
    # A redirect could lead anywhere, a private address included: the registered address is the only one used.
    reason = "redirects are not followed" if 300 <= status < 400 else reason
    raise DeliveryFailed(f"HTTP {status} {reason}{': ' + excerpt if excerpt else ''}", status)


# Most events are queued by the change they report (emit). Some fall due with nobody acting: an unannounced change
# whose grace period ran out. The domain that decides them registers a function that queues what is due, and
# each sending run calls it first, so what it queues goes out in the same run.
_before_sending: list[Callable[[], object]] = []


def before_sending(queue_due: Callable[[], object]) -> Callable[[], object]:
    """Have every sending run call `queue_due` first (a decorator); it queues its deliveries with emit() and does
    not commit: the run commits what the hooks queued before it sends."""
    if queue_due not in _before_sending:
        _before_sending.append(queue_due)
    return queue_due


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send the deliveries that are due; returns (sent, failed this round).

    Each result is committed as soon as it is known. When an endpoint cannot be reached, its other
    deliveries in this run wait for its next try instead of each waiting out a timeout (and they keep
    their order behind the one that failed).
    """
    _prune()
    for queue_due in _before_sending:
        queue_due()
    # What the hooks queued (and marked) is kept before sending starts: the marked rows are not held locked
    # while receivers answer, and the deliveries go out in this run.
    db.session.commit()
    deliveries = retry_queue.claim_due(WebhookDelivery, limit)
    started = utcnow()
    unreachable: dict[int, datetime] = {}
    sent = failed = 0
    for index, delivery in enumerate(deliveries):
        if retry_queue.claim_running_out(started):
            # Slow receivers: hand the rest back before the claim could run out mid-send.
            retry_queue.hand_back(deliveries[index:])
            break
        # Read it again: the endpoint may have been disabled (cancelling it) since the claim.
        db.session.refresh(delivery)
        if delivery.status != "pending":
            continue
        if delivery.endpoint_id in unreachable:
            delivery.next_attempt_at = unreachable[delivery.endpoint_id]
            db.session.commit()
            continue
        delivery.last_attempt_at = utcnow()
        try:
            delivery.last_status_code = post(delivery)
        except DeliveryFailed as error:
            delivery.last_status_code = error.status_code
            if error.refused:
                retry_queue.give_up(delivery, str(error))
            else:
                retry_queue.record_failure(delivery, str(error))
            if error.unreachable:
                unreachable[delivery.endpoint_id] = delivery.next_attempt_at
            failed += 1
        except Exception as error:  # noqa: BLE001  (one broken delivery must not stop the others)
            current_app.logger.exception("Unexpected error sending webhook delivery %s", delivery.id)
            retry_queue.record_failure(delivery, retry_queue.describe(error))
            failed += 1
        else:
            delivery.status = "sent"
            delivery.sent_at = utcnow()
            delivery.attempts += 1
            delivery.last_error = ""
            sent += 1
        db.session.commit()
    return sent, failed


_pruned_at = [float("-inf")]  # monotonic time of the last pruning in this process
PRUNE_EVERY_SECONDS = 3600


def _prune() -> None:
    """Forget delivered deliveries older than WEBHOOK_KEEP_DAYS (0 keeps them all), hourly; failed ones stay."""
    days = int(current_app.config.get("WEBHOOK_KEEP_DAYS") or 0)
    if days <= 0 or time.monotonic() - _pruned_at[0] < PRUNE_EVERY_SECONDS:
        return
    _pruned_at[0] = time.monotonic()
    # A delivered row's next_attempt_at is the end of the claim it was sent under, minutes after it was
    # sent: the (status, next_attempt_at) index finds old ones without a column of its own.
    db.session.execute(delete(WebhookDelivery).where(
        WebhookDelivery.status == "sent", WebhookDelivery.next_attempt_at < utcnow() - timedelta(days=days)))
    db.session.commit()


def start_sender(app, interval: float):
    """Start the background sender (send_due every `interval` seconds); set the returned event to stop it."""
    return retry_queue.start_loop(app, interval, lambda: send_due(), "Webhooks", "webhook-sender")


BACKLOG = ("pending", "failed", "cancelled")


def backlog() -> dict[str, int]:
    """Deliveries not delivered, by status (pending, failed, cancelled): for the admin page, the command and
    /metrics. Delivered ones are not counted: they are most of the table, and the index finds the others."""
    counts = dict(db.session.execute(select(WebhookDelivery.status, func.count(WebhookDelivery.id))
                                     .where(WebhookDelivery.status.in_(BACKLOG))
                                     .group_by(WebhookDelivery.status)).all())
    return {status: counts.get(status, 0) for status in BACKLOG}
