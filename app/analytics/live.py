# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the live page polls: the dashboard's JSON behind an ETag, computed once for every viewer.

Each poll first asks for the data version (a few index lookups). While it is unchanged the
answer is a 304. When it changed, the dashboard is recomputed, but at most once per
``REFRESH_FACTOR`` times the last computation's cost (the app setting ``ANALYTICS_REFRESH_FACTOR``
overrides it): a year of a busy organization can take
seconds to count, and events arriving every second must not keep the server counting (the page
then shows figures a few seconds old). One computation serves every viewer of the same filters
and language in this process; the others keep the previous figures until it is done.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from app.analytics.filters import DashboardFilters
from app.analytics.services import build_dashboard, dashboard_etag, dashboard_json

REFRESH_FACTOR = 5
CACHE_SIZE = 32


@dataclass
class Computed:
    """A dashboard's JSON, its ETag, when it was computed and how long that took (monotonic seconds)."""

    etag: str
    payload: dict[str, Any]
    computed_at: float
    cost: float

    def may_refresh(self, now: float, factor: float) -> bool:
        """Whether enough time has passed since this computation to start another one."""
        return now - self.computed_at >= factor * self.cost


@dataclass
class LiveCache:
    """The latest computation per (organization, filters, language), and who is computing."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    entries: OrderedDict[tuple, Computed] = field(default_factory=OrderedDict)
    computing: dict[tuple, threading.Lock] = field(default_factory=dict)

    def get(self, key: tuple) -> Computed | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Computed) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > CACHE_SIZE:
                self.entries.popitem(last=False)

    def computing_lock(self, key: tuple) -> threading.Lock:
        with self.lock:
            return self.computing.setdefault(key, threading.Lock())


def live_cache() -> LiveCache:
    """This app's cache (kept on the app, so each test app has its own)."""
    return current_app.extensions.setdefault("analytics_live_cache", LiveCache())


def compute(filters: DashboardFilters, etag: str, now: datetime | None) -> Computed:
    """Count the dashboard now."""
    started = time.monotonic()
    payload = dashboard_json(build_dashboard(filters, now))
    finished = time.monotonic()
    return Computed(etag, payload, finished, finished - started)


def live_dashboard(filters: DashboardFilters, locale: str, now: datetime | None = None) -> Computed:
    """The dashboard for these filters: the cached one while current (or too recent to redo), else new."""
    cache = live_cache()
    key = (filters, locale)
    etag = dashboard_etag(filters, locale, now)
    entry = cache.get(key)
    factor = current_app.config.get("ANALYTICS_REFRESH_FACTOR", REFRESH_FACTOR)
    if entry is not None and (entry.etag == etag or not entry.may_refresh(time.monotonic(), factor)):
        return entry
    lock = cache.computing_lock(key)
    if entry is None:
        lock.acquire()
    elif not lock.acquire(blocking=False):
        return entry  # another request is counting these figures; show the previous ones meanwhile
    try:
        latest = cache.get(key)
        if latest is not None and latest is not entry and latest.etag == etag:
            return latest
        computed = compute(filters, etag, now)
        cache.put(key, computed)
        return computed
    finally:
        lock.release()
