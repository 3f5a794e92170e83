"""Background work: inline in tests, otherwise queued in Redis (or SQLite) for `huey_consumer`.

Tasks are declared with :func:`job` or :func:`periodic_job`; their bodies run inside an
application context and commit at their own boundary. The queue itself is configured by
:func:`init_app`; the consumer entry point is ``app.worker``.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from flask import Flask
from huey import Huey
from huey.api import TaskWrapper
from huey.storage import RedisStorage, SqliteStorage

from app.core.extensions import db

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
        huey.storage_kwargs = {"url": redis_url}
    else:
        path = Path(app.config["JOBS_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(path)}
    # Assigned directly: the `immediate` setter only rebuilds storage when the flag changes.
    huey._immediate = bool(app.config["JOBS_IMMEDIATE"])
    huey.storage = huey.create_storage()
    _app = app


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
                return func(*args, **kwargs)
            finally:
                # A task never leaks its session (or an open transaction) to the next one.
                db.session.remove()

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        # An empty contextvars context: run inline, a task still sees no caller's request,
        # user, locale or session, exactly as on a worker.
        return contextvars.Context().run(run_in_app, *args, **kwargs)

    return run


def job(**options: Any) -> Callable[[Callable[..., Any]], TaskWrapper]:
    """Declare a background task (huey options such as retries, retry_delay, retry_backoff)."""

    def decorator(func: Callable[..., Any]) -> TaskWrapper:
        return huey.task(**options)(_in_app_context(func))

    return decorator


def periodic_job(
    schedule: Callable[..., bool], **options: Any
) -> Callable[[Callable[..., Any]], TaskWrapper]:
    """Declare a task the consumer runs on a schedule, e.g. ``periodic_job(crontab(hour="3"))``."""

    def decorator(func: Callable[..., Any]) -> TaskWrapper:
        return huey.periodic_task(schedule, **options)(_in_app_context(func))

    return decorator
