# SPDX-License-Identifier: AGPL-3.0-or-later
"""The transactional outbox: e-mails, jobs and webhooks recorded in the caller's transaction.

:func:`add_message` adds a row to the current session; it is committed (or rolled back) with
the change that caused it, so nothing is sent for a change that never happened and nothing is
lost for one that did. After the commit the row's id is pushed to the job queue as a fast path
(:func:`set_dispatcher`); a relay (:func:`relay_due`, run by every job consumer on a timer,
independent of the queue) delivers whatever is due or was left behind. Each delivery claims the
row under a lease (``locked_until``) that a heartbeat extends while the work runs; a lease that
expires (the worker was killed) makes the row due again. Failures are retried with exponential
backoff up to ``max_attempts``, then the row is ``failed`` and shown to admins with a retry button.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from app.core import after_commit
from app.core.database import changed_rows
from app.core.errors import Conflict, NotFound
from app.core.extensions import db
from app.models.base import utcnow
from app.models.outbox import OutboxKind, OutboxMessage, OutboxStatus, WorkerHeartbeat

logger = logging.getLogger(__name__)

PUSH_KEY = "outbox.push"
MAX_BACKOFF_SECONDS = 6 * 3600
ERROR_LENGTH = 2000
UNDELIVERED = (OutboxStatus.PENDING, OutboxStatus.DELIVERING)


class PermanentFailure(Exception):
    """Retrying will not help (a 5xx SMTP answer, a job that no longer exists): fail the row now."""


@dataclass(frozen=True)
class _Handler:
    deliver: Callable[[OutboxMessage], None]
    give_up: Callable[[OutboxMessage, str], None] | None


_handlers: dict[OutboxKind, _Handler] = {}
_dispatcher: Callable[[Sequence[int]], None] | None = None


def register_handler(
    kind: OutboxKind,
    deliver: Callable[[OutboxMessage], None],
    give_up: Callable[[OutboxMessage, str], None] | None = None,
) -> None:
    """Say how rows of ``kind`` are delivered, and what to record when they are given up."""
    _handlers[kind] = _Handler(deliver, give_up)


def set_dispatcher(dispatcher: Callable[[Sequence[int]], None] | None) -> None:
    """The fast path run after each commit with the new rows' ids (the job queue's enqueue)."""
    global _dispatcher
    _dispatcher = dispatcher


def worker_name() -> str:
    """This process and thread, as recorded on the rows it claims."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{threading.get_ident() % 100000}"


# -- writing, in the caller's transaction -------------------------------------------------------------


def add_message(
    kind: OutboxKind,
    topic: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    available_at: datetime | None = None,
    max_attempts: int = 6,
    retry_delay: int = 60,
    organization_id: int | None = None,
) -> OutboxMessage:
    """Record one delivery in the current transaction; with ``dedupe_key``, at most one ever exists.

    Called from an after-commit handler (the caller's transaction is over), it commits its own.
    """
    if after_commit.running_handlers():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        return contextvars.Context().run(
            _add_alone,
            app,
            kind,
            topic,
            payload,
            dict(
                dedupe_key=dedupe_key,
                available_at=available_at,
                max_attempts=max_attempts,
                retry_delay=retry_delay,
                organization_id=organization_id,
            ),
        )
    if dedupe_key is not None:
        existing = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    message = OutboxMessage(
        organization_id=organization_id,
        kind=kind,
        topic=topic[:200],
        payload=payload,
        dedupe_key=dedupe_key,
        next_attempt_at=available_at or utcnow(),
        max_attempts=max(1, max_attempts),
        retry_delay=max(1, retry_delay),
    )
    if dedupe_key is None:
        db.session.add(message)
        db.session.flush()
    else:
        # Two transactions racing for the same key: the second one keeps the first's row.
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            existing = db.session.scalar(
                db.select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
            )
            if existing is not None:
                return existing
            raise
    if available_at is None or available_at <= utcnow():
        after_commit.defer_until_commit(PUSH_KEY, message.id)
    return message


def _add_alone(
    app: Any, kind: OutboxKind, topic: str, payload: dict[str, Any], options: dict[str, Any]
) -> OutboxMessage:
    with app.app_context():
        try:
            message = add_message(kind, topic, payload, **options)
            db.session.commit()
            db.session.refresh(message)
            return message
        finally:
            db.session.remove()


@after_commit.on_commit(PUSH_KEY)
def _push_committed(message_ids: Sequence[int]) -> None:
    if _dispatcher is None:
        return
    try:
        _dispatcher(list(dict.fromkeys(message_ids)))
    except Exception:
        # The rows are committed: the relay delivers them when the queue is back.
        logger.warning(
            "Could not push outbox rows %s to the job queue; the relay will deliver them", message_ids
        )


# -- delivering ---------------------------------------------------------------------------------------


def lease_seconds() -> int:
    """How long a claimed row stays claimed without a heartbeat."""
    return int(current_app.config.get("OUTBOX_LEASE_SECONDS", 120))


def claim_message(message_id: int, holder: str) -> bool:
    """Take the row for delivery if it is due (or its lease expired); commits; True when taken."""
    now = utcnow()
    claimed = changed_rows(
        db.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.DELIVERING) & (OutboxMessage.locked_until < now),
            ),
            OutboxMessage.attempts < OutboxMessage.max_attempts,
        )
        .values(
            status=OutboxStatus.DELIVERING,
            locked_until=now + timedelta(seconds=lease_seconds()),
            locked_by=holder[:100],
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed == 1


class _Heartbeat:
    """Extends a claimed row's lease from a side thread while its work runs."""

    def __init__(self, message_id: int, holder: str, lease: int) -> None:
        self._engine = db.engine
        self._message_id, self._holder, self._lease = message_id, holder[:100], lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"outbox-lease-{message_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        interval = max(self._lease / 3, 0.2)
        while not self._stop.wait(interval):
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        db.update(OutboxMessage)
                        .where(
                            OutboxMessage.id == self._message_id,
                            OutboxMessage.locked_by == self._holder,
                            OutboxMessage.status == OutboxStatus.DELIVERING,
                        )
                        .values(locked_until=utcnow() + timedelta(seconds=self._lease))
                    )
            except Exception:
                logger.warning("Could not extend the lease of outbox row %s", self._message_id)


def deliver_message(message_id: int, holder: str | None = None) -> OutboxStatus | None:
    """Claim and deliver one row now, recording the outcome; None when another relay has it."""
    holder = holder or worker_name()
    if not claim_message(message_id, holder):
        return None
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return None
    handler = _handlers.get(message.kind)
    try:
        if handler is None:
            raise PermanentFailure(f"No handler for {message.kind} rows")
        with _Heartbeat(message_id, holder, lease_seconds()):
            handler.deliver(message)
    except Exception as error:
        db.session.rollback()
        return _record_failure(message_id, error)
    message.status = OutboxStatus.DELIVERED
    message.delivered_at = utcnow()
    message.locked_until = None
    message.last_error = None
    db.session.commit()  # with whatever the delivered work added (follow-up rows, state)
    return OutboxStatus.DELIVERED


def _record_failure(message_id: int, error: Exception) -> OutboxStatus | None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return None
    reason = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if isinstance(error, PermanentFailure) or message.attempts >= message.max_attempts:
        logger.error(
            "Outbox row %s (%s %s) failed for good: %s", message.id, message.kind, message.topic, reason
        )
        _give_up(message, reason)
    else:
        logger.warning(
            "Outbox row %s (%s %s) will be retried: %s", message.id, message.kind, message.topic, reason
        )
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(message))
        message.locked_until = None
        message.last_error = reason
    db.session.commit()
    return message.status


def backoff_seconds(message: OutboxMessage) -> int:
    """The wait before the next try: ``retry_delay`` doubled after each failed attempt."""
    return min(message.retry_delay * 2 ** max(message.attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _give_up(message: OutboxMessage, reason: str) -> None:
    message.status = OutboxStatus.FAILED
    message.locked_until = None
    message.last_error = reason
    handler = _handlers.get(message.kind)
    if handler is not None and handler.give_up is not None:
        try:
            with db.session.begin_nested():
                handler.give_up(message, reason)
        except Exception:
            logger.exception("Recording the failure of outbox row %s failed", message.id)


def relay_due(limit: int = 100, grace_seconds: float = 0, holder: str | None = None) -> int:
    """Deliver rows that are due or whose lease expired (oldest first); returns how many were tried.

    ``grace_seconds`` leaves just-committed rows to the queue's fast path.
    """
    holder = holder or worker_name()
    now = utcnow()
    _fail_exhausted_leases(now)
    due_before = now - timedelta(seconds=grace_seconds)
    ids = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING)
                & (OutboxMessage.next_attempt_at <= due_before),
                (OutboxMessage.status == OutboxStatus.DELIVERING) & (OutboxMessage.locked_until < now),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    for message_id in ids:
        deliver_message(message_id, holder)
    return len(ids)


def _fail_exhausted_leases(now: datetime) -> None:
    """Rows whose worker died on their last allowed attempt: failed, with the reason."""
    stuck = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.DELIVERING,
            OutboxMessage.locked_until < now,
            OutboxMessage.attempts >= OutboxMessage.max_attempts,
        )
    ).all()
    for message in stuck:
        _give_up(
            message,
            f"Interrupted {message.attempts} times (the worker stopped or lost its lease); not retried again",
        )
    db.session.commit()


# -- what operators see --------------------------------------------------------------------------------


def list_problem_messages(
    organization_id: int | None, stuck_after: timedelta, limit: int = 200
) -> list[OutboxMessage]:
    """The organization's (None: every) failed rows, retried rows and rows waiting too long, newest first."""
    cutoff = utcnow() - stuck_after
    query = db.select(OutboxMessage)
    if organization_id is not None:
        query = query.where(OutboxMessage.organization_id == organization_id)
    return list(
        db.session.scalars(
            query.where(
                or_(
                    OutboxMessage.status == OutboxStatus.FAILED,
                    (OutboxMessage.status.in_(UNDELIVERED)) & (OutboxMessage.created_at < cutoff),
                    (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.attempts > 0),
                )
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry_message(message_id: int, organization_id: int | None = None) -> OutboxMessage:
    """Make a failed or waiting row due now with a fresh set of attempts (an admin of its organization asked)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or (organization_id is not None and message.organization_id != organization_id):
        raise NotFound(str(_l("No such delivery.")))
    if message.status == OutboxStatus.DELIVERED:
        raise Conflict(str(_l("This delivery has already gone out.")))
    if message.status == OutboxStatus.DELIVERING and message.locked_until and message.locked_until > utcnow():
        raise Conflict(str(_l("This delivery is being attempted right now.")))
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_until = None
    db.session.flush()
    after_commit.defer_until_commit(PUSH_KEY, message.id)
    return message


def oldest_undelivered_age() -> float | None:
    """Seconds since the oldest row still waiting was due, or None when nothing waits."""
    oldest = db.session.scalar(
        db.select(OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status.in_(UNDELIVERED))
        .order_by(OutboxMessage.next_attempt_at)
        .limit(1)
    )
    if oldest is None:
        return None
    return max((utcnow() - oldest).total_seconds(), 0.0)


def record_heartbeat(name: str) -> None:
    """Note that consumer ``name`` is alive now (and forget consumers silent for a day); commits."""
    db.session.execute(
        db.delete(WorkerHeartbeat)
        .where(WorkerHeartbeat.beat_at < utcnow() - timedelta(days=1))
        .execution_options(synchronize_session=False)
    )
    beat = db.session.get(WorkerHeartbeat, name)
    if beat is None:
        db.session.add(WorkerHeartbeat(name=name, beat_at=utcnow()))
    else:
        beat.beat_at = utcnow()
    db.session.commit()


def last_heartbeat() -> datetime | None:
    """When any job consumer last showed a sign of life."""
    beats = db.session.scalars(db.select(WorkerHeartbeat.beat_at)).all()
    return max(beats) if beats else None


def purge_delivered(older_than: timedelta) -> int:
    """Delete rows delivered longer ago than ``older_than`` (they hold message bodies); flushes."""
    cutoff = utcnow() - older_than
    return changed_rows(
        db.delete(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.DELIVERED, OutboxMessage.delivered_at < cutoff)
        .execution_options(synchronize_session=False)
    )
