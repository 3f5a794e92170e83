# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work: recorded in the outbox, relayed through Redis (or SQLite) to `huey_consumer`.

Jobs are declared with :func:`job`; calling one (``process_answer(42)``) or its ``.schedule``
writes an outbox row in the caller's transaction (see ``app.core.outbox``), and only after the commit
is the row's id pushed to the queue, as a fast path. Every consumer also runs a relay thread
(:class:`Relay`) that delivers rows the queue never got (it was down, the process died), so no
work depends on the queue. Periodic jobs (:func:`periodic_job`) run on huey's scheduler; each
scheduled slot is claimed in the database (``job_locks``), so a slot runs once however many
consumers run. Bodies run inside an application context and commit at their own boundary.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask, has_app_context
from huey import Huey, crontab
from huey.api import TaskWrapper
from huey.storage import RedisStorage, SqliteStorage
from redis import ConnectionPool
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from app.core import after_commit, outbox
from app.core.database import changed_rows
from app.core.extensions import db
from app.models.base import utcnow
from app.models.outbox import JobLock, OutboxKind, OutboxMessage

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Every module that declares tasks; the consumer imports them all so that it knows them.
TASK_MODULES: tuple[str, ...] = (
    "app.core.mail",
    "app.journey.tasks",
    "app.retention.tasks",
    "app.portal.tasks",
    "app.interviews.tasks",
    "app.feedback.tasks",
    "app.media.tasks",
    "app.advocacy.tasks",
    "app.voice.tasks",
    "app.core.orphans",
)

# In-memory and immediate until init_app says otherwise: importing this module does no I/O.
huey = Huey("openround", immediate=True)

_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Point the queue at Redis or SQLite (or run tasks inline) and remember the app for tasks."""
    global _app
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        huey.storage_class = RedisStorage
        # Short timeouts: an unreachable queue must not hold a request (the relay covers for it).
        pool = ConnectionPool.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)
        huey.storage_kwargs = {"connection_pool": pool}
    else:
        path = Path(app.config["JOBS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(path)}
    # Assigned directly: the `immediate` setter only rebuilds storage when the flag changes.
    huey._immediate = bool(app.config["JOBS_IMMEDIATE"])
    huey.storage = huey.create_storage()
    _app = app
    outbox.set_dispatcher(_push_to_queue)


def import_task_modules() -> None:
    """Import every module that declares tasks, so the consumer can run them."""
    for name in TASK_MODULES:
        importlib.import_module(name)


def task_app() -> Flask:
    """The application whose context task bodies run in."""
    if _app is None:
        raise RuntimeError("app.core.jobs.init_app(app) has not been called (create_app does it).")
    return _app


def _in_app_context(func: Callable[P, R]) -> Callable[P, R]:
    def run_in_app(*args: P.args, **kwargs: P.kwargs) -> R:
        with task_app().app_context():
            try:
                result = func(*args, **kwargs)
                db.session.commit()  # the job's boundary: follow-up jobs it recorded go out too
                return result
            finally:
                # A task never leaks its session (or an open transaction) to the next one.
                db.session.remove()

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        # An empty contextvars context: run inline, a task still sees no caller's request,
        # user, locale or session, exactly as on a worker.
        return contextvars.Context().run(run_in_app, *args, **kwargs)

    return run


# -- jobs, recorded in the outbox ------------------------------------------------------------------


class Job:
    """A background job: calling it records an outbox row that a relay or consumer delivers."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        retries: int = 3,
        retry_delay: int = 60,
        retry_backoff: float = 2,
        on_give_up: Callable[..., None] | None = None,
    ) -> None:
        self.func = func
        self.name = f"{func.__module__}.{func.__name__}"
        self.retries = retries
        self.retry_delay = retry_delay
        self.retry_backoff = retry_backoff  # the outbox always doubles the delay
        self.on_give_up = on_give_up
        self._local = _in_app_context(func)
        functools.update_wrapper(self, func)

    def __call__(self, *args: Any, **kwargs: Any) -> OutboxMessage:
        """Record the job in the caller's transaction; it runs after the commit."""
        return self.schedule(args, kwargs)

    def schedule(
        self,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        delay: float | None = None,
        eta: datetime | None = None,
        dedupe_key: str | None = None,
    ) -> OutboxMessage:
        """Record the job to run after the commit (or at ``eta``, or ``delay`` seconds later)."""
        if eta is None and delay:
            eta = utcnow() + timedelta(seconds=delay)
        if not has_app_context() or after_commit.running_handlers():
            # Called from a CLI, a test, or after a commit (the caller's transaction is over):
            # the job is recorded in a transaction of its own.
            return contextvars.Context().run(self._record_alone, args, kwargs, eta, dedupe_key)
        return self._record(args, kwargs, eta, dedupe_key)

    def _record_alone(
        self, args: Sequence[Any], kwargs: dict[str, Any] | None, eta: datetime | None, dedupe_key: str | None
    ) -> OutboxMessage:
        with task_app().app_context():
            try:
                message = self._record(args, kwargs, eta, dedupe_key)
                db.session.commit()
                db.session.refresh(message)  # usable once this session is gone
                return message
            finally:
                db.session.remove()

    def _record(
        self, args: Sequence[Any], kwargs: dict[str, Any] | None, eta: datetime | None, dedupe_key: str | None
    ) -> OutboxMessage:
        if self.name not in JOBS:
            raise RuntimeError(f"Job {self.name} is not registered")
        return outbox.add_message(
            OutboxKind.JOB,
            self.name,
            {"args": list(args), "kwargs": dict(kwargs or {})},
            dedupe_key=dedupe_key,
            available_at=eta,
            max_attempts=self.retries + 1,
            retry_delay=self.retry_delay,
        )

    def call_local(self, *args: Any, **kwargs: Any) -> Any:
        """Run the job's body now, in its own application context and transaction."""
        return self._local(*args, **kwargs)


JOBS: dict[str, Job] = {}


def job(
    *,
    retries: int = 3,
    retry_delay: int = 60,
    retry_backoff: float = 2,
    on_give_up: Callable[..., None] | None = None,
) -> Callable[[Callable[..., Any]], Job]:
    """Declare a background job, retried with exponential backoff; ``on_give_up(reason, *args)`` at the end."""

    def decorator(func: Callable[..., Any]) -> Job:
        declared = Job(
            func, retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff, on_give_up=on_give_up
        )
        JOBS[declared.name] = declared
        return declared

    return decorator


def _deliver_job(message: OutboxMessage) -> None:
    declared = JOBS.get(message.topic)
    if declared is None:
        raise outbox.PermanentFailure(f"Unknown job {message.topic}")
    declared.func(*message.payload.get("args", []), **message.payload.get("kwargs", {}))


def _give_up_job(message: OutboxMessage, reason: str) -> None:
    declared = JOBS.get(message.topic)
    if declared is not None and declared.on_give_up is not None:
        declared.on_give_up(reason, *message.payload.get("args", []), **message.payload.get("kwargs", {}))


outbox.register_handler(OutboxKind.JOB, _deliver_job, _give_up_job)


@huey.task()
def relay_message(message_id: int) -> None:
    """Queue task: deliver one outbox row (the fast path after a commit)."""
    run = _in_app_context(outbox.deliver_message)
    run(message_id)


def _push_to_queue(message_ids: Sequence[int]) -> None:
    for message_id in message_ids:
        relay_message(message_id)


# -- the relay every consumer runs ---------------------------------------------------------------------


class Relay:
    """A consumer's side thread: records a heartbeat and delivers due outbox rows every few seconds."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = float(app.config.get("OUTBOX_RELAY_INTERVAL", 10))
        self.name = outbox.worker_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> None:
        """Begin relaying in the background."""
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Finish the current delivery and stop."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)

    def run_once(self) -> None:
        """One sweep: heartbeat, then every due row (rows just committed are left to the queue a moment)."""
        with self.app.app_context():
            try:
                outbox.record_heartbeat(self.name.rsplit(":", 1)[0])
                outbox.relay_due(grace_seconds=self.interval / 2, holder=self.name)
            except Exception:
                db.session.rollback()
                logger.exception("Outbox relay sweep failed")
            finally:
                db.session.remove()


# -- periodic jobs, one run per scheduled slot -------------------------------------------------------

# Set by the consumer (app.worker): only there do periodic runs claim their slot in the database;
# a test or a CLI calling ``.call_local()`` runs the body directly.
SCHEDULE_LOCKS = {"enabled": False}


def claim_schedule_slot(name: str, slot: datetime, holder: str, lease: timedelta) -> bool:
    """Claim the run of ``name`` for ``slot``; False when another consumer has (or had) it. Commits."""
    if db.session.get(JobLock, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLock(name=name))
        except IntegrityError:
            pass  # another consumer created it first
        db.session.commit()
    now = utcnow()
    claimed = changed_rows(
        db.update(JobLock)
        .where(
            JobLock.name == name,
            or_(JobLock.last_slot.is_(None), JobLock.last_slot < slot),
            or_(JobLock.locked_until.is_(None), JobLock.locked_until < now),
        )
        .values(holder=holder[:100], locked_until=now + lease, last_slot=slot)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed == 1


def release_schedule_slot(name: str) -> None:
    """Mark the slot's run finished; commits."""
    db.session.execute(
        db.update(JobLock)
        .where(JobLock.name == name)
        .values(locked_until=None, last_finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def periodic_job(
    schedule: Callable[..., bool], *, lock_minutes: int = 60, **options: Any
) -> Callable[[Callable[..., Any]], TaskWrapper]:
    """Declare a task the consumer runs on a schedule, e.g. ``periodic_job(crontab(hour="3"))``.

    In a consumer each scheduled minute is claimed in ``job_locks`` first, so it runs once.
    """

    def decorator(func: Callable[..., Any]) -> TaskWrapper:
        name = f"{func.__module__}.{func.__name__}"

        @functools.wraps(func)
        def run_once_per_slot(*args: Any, **kwargs: Any) -> Any:
            if not SCHEDULE_LOCKS["enabled"]:
                return func(*args, **kwargs)
            slot = utcnow().replace(second=0, microsecond=0)
            if not claim_schedule_slot(name, slot, outbox.worker_name(), timedelta(minutes=lock_minutes)):
                logger.info("Periodic job %s for %s already ran or runs elsewhere", name, slot)
                return None
            try:
                result = func(*args, **kwargs)
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise
            finally:
                release_schedule_slot(name)

        return huey.periodic_task(schedule, **options)(_in_app_context(run_once_per_slot))

    return decorator


@periodic_job(crontab(minute="50", hour="3"))
def purge_delivered_outbox() -> int:
    """Nightly: delete outbox rows delivered more than a week ago (they hold e-mail bodies)."""
    removed = outbox.purge_delivered(timedelta(days=7))
    db.session.commit()
    return removed
