# SPDX-License-Identifier: AGPL-3.0-or-later
"""Entry point of the background worker: ``huey_consumer app.worker.huey -w 2 -k thread -g TERM``.

Like ``wsgi.py``, importing this module builds the application (from OPENROUND_ENV and the
environment), so the consumer runs every task inside that app's context. When the consumer
starts, it also starts the outbox relay (``app.core.jobs.Relay``): a thread that records this
consumer's heartbeat and delivers outbox rows the queue never brought (it was down, a worker
died), so no mail or job depends on the queue. ``-g TERM`` makes SIGTERM (a deploy) a graceful
stop: running jobs finish; one killed instead is run again when its lease expires.
"""

import threading

from app import create_app
from app.core import jobs

flask_app = create_app()
jobs.import_task_modules()
huey = jobs.huey

if huey.immediate:
    # An immediate-mode queue lives in memory: a consumer on it would wait forever for nothing.
    raise SystemExit("JOBS_IMMEDIATE is on: the worker needs a real queue (REDIS_URL or SQLite).")

_relay: list[jobs.Relay] = []
_relay_lock = threading.Lock()


@huey.on_startup()
def start_relay() -> None:
    """Once per consumer process: claim periodic slots in the database and start the relay."""
    with _relay_lock:
        if _relay:
            return
        jobs.SCHEDULE_LOCKS["enabled"] = True
        relay = jobs.Relay(flask_app)
        relay.start()
        _relay.append(relay)


@huey.on_shutdown()
def stop_relay() -> None:
    """Let the relay finish its current delivery before the process exits."""
    with _relay_lock:
        while _relay:
            _relay.pop().stop()
