"""Entry point of the background worker: ``huey_consumer app.worker.huey -w 2 -k thread``.

Like ``wsgi.py``, importing this module builds the application (from OPENROUND_ENV and the
environment), so the consumer runs every task inside that app's context.
"""

from app import create_app
from app.core import jobs

flask_app = create_app()
jobs.import_task_modules()
huey = jobs.huey

if huey.immediate:
    # An immediate-mode queue lives in memory: a consumer on it would wait forever for nothing.
    raise SystemExit("JOBS_IMMEDIATE is on: the worker needs a real queue (REDIS_URL or SQLite).")
