# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recording journey events, and counting unique visitors without IPs or cookies."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core.errors import Invalid
from app.core.extensions import db
from app.journey.attribution import SHARE_CHANNELS, Attribution, parse_attribution, path_of_url
from app.models import EventType, Job, JobStatus, JourneyEvent, Organization, VisitorSalt

MAX_EVENTS_PER_BATCH = 20
# The event types a browser may report; later steps (applied, interviewed...) are server-side only.
BROWSER_EVENT_TYPES = frozenset(
    {
        EventType.CAREER_SITE_VIEW,
        EventType.CARD_VIEW,
        EventType.VIDEO_PLAY,
        EventType.SHARE_CLICK,
        EventType.APPLY_START,
        EventType.WIDGET_VIEW,
        EventType.CARD_CLICK,
    }
)
EVENT_FIELDS = frozenset(
    {
        "type",
        "org",
        "job",
        "page_url",
        "referrer",
        "embed_host",
        "share_channel",
        "share_target",
        "ref",
        "utm",
    }
)
OPTIONAL_TEXT_FIELDS = ("job", "page_url", "referrer", "embed_host", "share_channel", "share_target", "ref")
UTM_KEYS = {f"utm_{name}": name for name in ("source", "medium", "campaign", "term", "content")} | {
    name: name for name in ("source", "medium", "campaign", "term", "content")
}


def record_event(
    organization: Organization,
    *,
    type: EventType,
    job: Job | None = None,
    attribution: Attribution,
    visitor_hash: str | None,
    data: Mapping[str, Any] | None = None,
) -> JourneyEvent:
    """Add one journey event of ``organization`` (flushed; the caller commits)."""
    if job is not None and job.organization_id != organization.id:
        raise Invalid(str(_l("The job does not belong to this organization.")), field="job")
    event = JourneyEvent(
        organization_id=organization.id,
        job_id=job.id if job is not None else None,
        type=EventType(type).value,
        occurred_at=datetime.now(UTC),
        visitor_hash=visitor_hash,
        channel=attribution.channel.value,
        source=attribution.source[:255],
        utm_source=attribution.utm.get("source"),
        utm_medium=attribution.utm.get("medium"),
        utm_campaign=attribution.utm.get("campaign"),
        utm_term=attribution.utm.get("term"),
        utm_content=attribution.utm.get("content"),
        referrer_host=attribution.referrer_host,
        embed_host=attribution.embed_host,
        share_channel=attribution.share_channel,
        ambassador_code=attribution.ambassador_code,
        data=dict(data or {}),
    )
    db.session.add(event)
    db.session.flush()
    return event


# ---- unique visitors ------------------------------------------------------------------------


class _SaltCache:
    """Today's salt for one app, shared by the threads of a process (one lookup per day)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.day: date | None = None
        self.salt: str | None = None


def _salt_cache() -> _SaltCache:
    # Kept on the app, not the module: each app (each test database) has its own salts.
    return current_app.extensions.setdefault("journey_salt_cache", _SaltCache())


def today_utc() -> date:
    """The current UTC day, the period a visitor hash is stable for."""
    return datetime.now(UTC).date()


def create_visitor_salt(day: date) -> str:
    """Insert a random salt for ``day``; if another process inserted one first, return that one."""
    try:
        # A SAVEPOINT, so losing the race only undoes this insert, not the caller's transaction.
        with db.session.begin_nested():
            db.session.add(VisitorSalt(day=day, salt=secrets.token_hex(32)))
    except IntegrityError:
        pass
    salt = db.session.scalar(db.select(VisitorSalt.salt).where(VisitorSalt.day == day))
    if salt is None:
        raise RuntimeError(f"no visitor salt for {day} after inserting one")
    return salt


def salt_for_day(day: date) -> str:
    """The salt of ``day``: from this process's memory, else the database, else newly created."""
    cache = _salt_cache()
    with cache.lock:
        if cache.day == day and cache.salt:
            return cache.salt
    # The lock is not held during database work: a duplicate lookup is cheap and harmless.
    salt = db.session.scalar(db.select(VisitorSalt.salt).where(VisitorSalt.day == day))
    if salt is None:
        salt = create_visitor_salt(day)
    with cache.lock:
        if cache.day is None or day >= cache.day:
            cache.day, cache.salt = day, salt
    return salt


def visitor_hash(ip: str | None, user_agent: str | None, organization_id: int, day: date) -> str:
    """sha256 of the day's random salt, IP, user agent and organization: stable for one day only."""
    salt = salt_for_day(day)
    material = "\x1f".join((salt, ip or "", user_agent or "", str(organization_id)))
    return hashlib.sha256(material.encode()).hexdigest()


def delete_old_salts(today: date) -> int:
    """Delete the salts of days before ``today``, so their hashes can never be recomputed."""
    old = db.session.scalars(db.select(VisitorSalt).where(VisitorSalt.day < today)).all()
    for salt in old:
        db.session.delete(salt)
    db.session.flush()
    return len(old)


# ---- events reported by browsers ------------------------------------------------------------


@dataclass(frozen=True)
class BrowserEvent:
    """One event of a batch, validated: its type, organization, job, attribution and page path."""

    type: EventType
    organization: Organization
    job: Job | None
    attribution: Attribution
    data: dict[str, Any]


def _invalid(index: int, message: str) -> Invalid:
    return Invalid(str(_l("Event %(number)s: %(problem)s", number=index + 1, problem=message)))


def _check_event_shape(index: int, raw: object) -> dict[str, Any]:
    """The event as a dict whose fields have the right JSON types; Invalid names the first problem."""
    if not isinstance(raw, dict):
        raise _invalid(index, str(_l("each event must be a JSON object.")))
    unknown = sorted(set(raw) - EVENT_FIELDS)
    if unknown:
        raise _invalid(index, str(_l("unknown field “%(field)s”.", field=unknown[0])))
    for name in ("type", "org"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise _invalid(index, str(_l("“%(field)s” must be a non-empty string.", field=name)))
    for name in OPTIONAL_TEXT_FIELDS:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise _invalid(index, str(_l("“%(field)s” must be a string or null.", field=name)))
    utm = raw.get("utm")
    if utm is not None:
        if not isinstance(utm, dict):
            raise _invalid(index, str(_l("“utm” must be an object or null.")))
        for key, value in utm.items():
            if key not in UTM_KEYS:
                raise _invalid(index, str(_l("unknown utm field “%(field)s”.", field=key)))
            if value is not None and not isinstance(value, str):
                raise _invalid(index, str(_l("“utm.%(field)s” must be a string or null.", field=key)))
    if raw["type"] not in BROWSER_EVENT_TYPES:
        raise _invalid(index, str(_l("unknown event type “%(type)s”.", type=raw["type"][:40])))
    return raw


def parse_event_batch(payload: object, own_hosts: Iterable[str]) -> list[BrowserEvent]:
    """Validate a whole batch ``{"events": [...]}``; Invalid on the first problem, so nothing is kept."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise Invalid(str(_l('Send a JSON object of the form {"events": [...]}.')))
    raw_events = payload["events"]
    if not 1 <= len(raw_events) <= MAX_EVENTS_PER_BATCH:
        raise Invalid(str(_l("Send between 1 and %(max)s events at a time.", max=MAX_EVENTS_PER_BATCH)))
    events = [_check_event_shape(index, raw) for index, raw in enumerate(raw_events)]

    org_slugs = {event["org"].strip().lower() for event in events}
    organizations = {
        org.slug: org
        for org in db.session.scalars(db.select(Organization).where(Organization.slug.in_(org_slugs)))
    }
    job_slugs = {event["job"].strip() for event in events if event.get("job")}
    jobs = (
        {
            job.slug: job
            for job in db.session.scalars(
                db.select(Job).where(Job.slug.in_(job_slugs), Job.status == JobStatus.PUBLISHED)
            )
        }
        if job_slugs
        else {}
    )
    own = list(own_hosts)
    parsed: list[BrowserEvent] = []
    for index, event in enumerate(events):
        organization = organizations.get(event["org"].strip().lower())
        if organization is None:
            raise _invalid(index, str(_l("unknown organization “%(org)s”.", org=event["org"][:80])))
        job = None
        if event.get("job"):
            job = jobs.get(event["job"].strip())
            if job is None or job.organization_id != organization.id:
                raise _invalid(
                    index, str(_l("no published job “%(job)s” in this organization.", job=event["job"][:80]))
                )
        utm = {UTM_KEYS[key]: value for key, value in (event.get("utm") or {}).items()}
        attribution = parse_attribution(
            utm=utm,
            referrer=event.get("referrer"),
            embed_host=event.get("embed_host"),
            share_channel=event.get("share_channel"),
            ambassador_code=event.get("ref"),
            own_hosts=own,
        )
        parsed.append(
            BrowserEvent(
                type=EventType(event["type"]),
                organization=organization,
                job=job,
                attribution=attribution,
                data=_event_data(event),
            )
        )
    return parsed


def _event_data(event: Mapping[str, Any]) -> dict[str, Any]:
    """What an event keeps besides attribution: the page path (never its query) and the share target."""
    data: dict[str, Any] = {}
    path = path_of_url(event.get("page_url"))
    if path:
        data["path"] = path
    target = (event.get("share_target") or "").strip().lower()
    if event["type"] == EventType.SHARE_CLICK and target in SHARE_CHANNELS:
        data["share_target"] = target
    return data


def record_browser_events(
    payload: object, *, ip: str | None, user_agent: str | None, own_hosts: Iterable[str]
) -> list[JourneyEvent]:
    """Validate a batch reported by a browser and record every event of it (or none)."""
    parsed = parse_event_batch(payload, own_hosts)
    day = today_utc()
    hashes: dict[int, str] = {}
    recorded = []
    for event in parsed:
        org_id = event.organization.id
        if org_id not in hashes:
            hashes[org_id] = visitor_hash(ip, user_agent, org_id, day)
        recorded.append(
            record_event(
                event.organization,
                type=event.type,
                job=event.job,
                attribution=event.attribution,
                visitor_hash=hashes[org_id],
                data=event.data,
            )
        )
    return recorded
