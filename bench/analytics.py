# SPDX-License-Identifier: AGPL-3.0-or-later
"""``python -m bench analytics``: the analytics dashboard on 1,000,000 events and 50,000 applications.

Builds a throwaway organization with 20 jobs, a year of journey events, applications with their
stage changes, interview invitations, messages, survey answers, pulses and ambassadors' shares
and clicks, with bulk inserts (``executemany`` on SQLite, ``COPY`` on PostgreSQL). Then, for a
few ranges, it times the dashboard service (``build_dashboard`` and its JSON, what the live page
polls) beside the plain SQL aggregates the same figures need, written by hand and run on a bare
DBAPI cursor of the same database in the same run, and prints the ratio (target: at most 2).

SQLite always; PostgreSQL when ``--postgres URL`` is given or ``TEST_DATABASE_URL`` is set (a
schema of its own is created there and dropped afterwards, nothing else is touched).
"""

# The SQL below is fixed text with bound parameters: it is what the bench measures.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

DEFAULT_EVENTS = 1_000_000
DEFAULT_APPLICATIONS = 50_000
QUICK_EVENTS = 20_000
QUICK_APPLICATIONS = 1_000
JOBS = 20
DAYS = 365
BATCH = 50_000
TARGET_RATIO = 2.0

EVENT_TYPES = (
    ("card_view", 60),
    ("career_site_view", 12),
    ("widget_view", 5),
    ("apply_start", 8),
    ("video_play", 3),
    ("share_click", 2),
    ("question_started", 4),
    ("question_submitted", 4),
    ("interview_opened", 1),
    ("interview_completed", 1),
)
CHANNELS = (
    ("career_site", 40),
    ("direct", 20),
    ("embed", 15),
    ("campaign", 15),
    ("ambassador", 5),
    ("referral", 5),
)
EMBED_HOSTS = ("blog.example.com", "partner.example.org", "news.example.net")
CAMPAIGNS = (
    ("linkedin", "social", "spring"),
    ("newsletter", "email", "may"),
    ("google", "cpc", "brand"),
    ("indeed", "jobs", "always_on"),
    ("x", "social", "launch"),
)
SHARE_TARGETS = ("linkedin", "x", "facebook", "whatsapp", "email", "copy")
AMBASSADORS = 10


@dataclass(frozen=True)
class Case:
    """A dashboard to time: its label and filters."""

    label: str
    days: int
    one_job: bool = False


CASES = (Case("last 30 days", 30), Case("last 365 days", DAYS), Case("one job, 365 days", DAYS, one_job=True))


@dataclass
class Row:
    """One line of the printed table."""

    database: str
    label: str
    service: float
    plain: float

    @property
    def ratio(self) -> float:
        return self.service / self.plain if self.plain else float("nan")


# -- databases --------------------------------------------------------------------------------


@contextlib.contextmanager
def migrated_app(database_url: str, workdir: Path, schema: str | None = None) -> Iterator[Any]:
    """An app on a freshly migrated database (in ``schema`` on PostgreSQL), dropped afterwards."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.core.extensions import db
    from config import TestingConfig, normalize_database_url

    url = database_url
    if schema:
        engine = create_engine(normalize_database_url(database_url))
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    environ = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STORAGE_LOCAL_PATH": str(workdir / "uploads"),
        "MAIL_OUTBOX_PATH": str(workdir / "outbox"),
        "JOBS_SQLITE_PATH": str(workdir / "jobs.sqlite3"),
        "RATELIMIT_ENABLED": "false",
    }
    app = create_app(TestingConfig(environ))
    log = io.StringIO()
    try:
        with app.app_context():
            try:
                with contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
                    upgrade()
            except Exception:
                print(log.getvalue(), file=sys.stderr)
                raise
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        if schema:
            engine = create_engine(normalize_database_url(database_url))
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


# -- bulk inserts -----------------------------------------------------------------------------


def complete_rows(table, rows: list[dict]) -> tuple[list[str], list[list[Any]]]:
    """The columns to insert and each row's values, with Python-side defaults for what is missing."""
    given = set(rows[0])
    defaults = {}
    for column in table.columns:
        if column.name in given or (column.primary_key and column.autoincrement):
            continue
        if column.default is not None and column.default.is_scalar:
            defaults[column.name] = lambda default=column.default: default.arg
        elif column.default is not None and column.default.is_callable:
            defaults[column.name] = lambda default=column.default: default.arg(None)
    names = [name for name in rows[0]] + list(defaults)
    return names, [[*row.values(), *(make() for make in defaults.values())] for row in rows]


def db_value(value: Any, sqlite: bool) -> Any:
    """A Python value as the database driver takes it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    if sqlite and isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if sqlite and isinstance(value, date):
        return value.isoformat()
    return value


def bulk_insert(table, rows: list[dict]) -> None:
    """Insert many rows at once: executemany on SQLite, COPY on PostgreSQL."""
    from app.core.extensions import db

    if not rows:
        return
    names, values = complete_rows(table, rows)
    sqlite = db.engine.dialect.name == "sqlite"
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        if sqlite:
            marks = ", ".join("?" for _ in names)
            cursor.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
                ([db_value(value, True) for value in row] for row in values),
            )
        else:
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row([db_value(value, False) for value in row])
        connection.commit()
    finally:
        connection.close()


def ids_of(table, organization_id: int) -> list[int]:
    """The ids of an organization's rows of ``table``, in insertion order."""
    from app.core.extensions import db

    return list(
        db.session.scalars(
            db.select(table.c.id).where(table.c.organization_id == organization_id).order_by(table.c.id)
        )
    )


# -- the organization -------------------------------------------------------------------------


@dataclass
class Seeded:
    """What the seed made, for the filters."""

    organization_id: int
    job_ids: list[int]
    now: datetime


def weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...], count: int) -> list[Any]:
    """``count`` values drawn by weight."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=count)


def attribution(rng: random.Random, channel: str, codes: list[str]) -> dict[str, Any]:
    """Attribution columns that fit a channel."""
    values: dict[str, Any] = {"channel": channel, "source": channel}
    if channel == "embed":
        values["embed_host"] = values["source"] = rng.choice(EMBED_HOSTS)
    elif channel == "campaign":
        values["utm_source"], values["utm_medium"], values["utm_campaign"] = rng.choice(CAMPAIGNS)
        values["source"] = values["utm_source"]
    elif channel == "ambassador":
        values["ambassador_code"] = values["source"] = rng.choice(codes)
    elif channel == "referral":
        values["referrer_host"] = values["source"] = "forum.example.com"
    return values


def seed_organization(events: int, applications: int) -> Seeded:
    """The organization, its jobs, staff and ambassadors (through the models), then the bulk rows."""
    from app.core.extensions import db
    from app.models import Ambassador, InterviewTemplate, Role, ShareLink, User
    from bench.site import seed_jobs

    seed_jobs("bench-analytics", JOBS)
    db.session.flush()
    from app.models import Job, Organization

    organization = db.session.scalar(db.select(Organization).where(Organization.slug == "bench-analytics"))
    job_ids = list(db.session.scalars(db.select(Job.id).where(Job.organization_id == organization.id)))
    recruiter = User(
        organization_id=organization.id, email="recruiter@bench.example", name="Rita", role=Role.RECRUITER
    )
    db.session.add(recruiter)
    codes = []
    for number in range(AMBASSADORS):
        user = User(
            organization_id=organization.id,
            email=f"ambassador{number}@bench.example",
            name=f"Ambassador {number}",
            role=Role.EMPLOYEE,
        )
        db.session.add(user)
        db.session.flush()
        code = secrets.token_urlsafe(8)
        ambassador = Ambassador(organization_id=organization.id, user_id=user.id, code=code)
        db.session.add(ambassador)
        db.session.flush()
        codes.append(code)
        for job_id in job_ids[:5]:
            db.session.add(
                ShareLink(
                    organization_id=organization.id,
                    ambassador_id=ambassador.id,
                    job_id=job_id,
                    channel="linkedin",
                    code=secrets.token_urlsafe(8),
                )
            )
    template = InterviewTemplate(organization_id=organization.id, name="First round")
    db.session.add(template)
    db.session.commit()
    now = datetime.now(UTC)
    rng = random.Random(8)
    seed_events(rng, organization.id, job_ids, codes, events, now)
    seed_applications(rng, organization.id, job_ids, codes, recruiter.id, template.id, applications, now)
    seed_voice_and_advocacy(rng, organization.id, job_ids, applications, now)
    return Seeded(organization.id, job_ids, now)


def seed_events(
    rng: random.Random, organization_id: int, job_ids: list[int], codes: list[str], count: int, now: datetime
) -> None:
    """A year of journey events in time order (as they are appended in real life), in batches."""
    from app.models import JourneyEvent

    table = JourneyEvent.__table__
    hashes = [secrets.token_hex(32) for _ in range(2000)]
    ages = sorted((rng.uniform(0, DAYS * 86400) for _ in range(count)), reverse=True)
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        types = weighted(rng, EVENT_TYPES, size)
        channels = weighted(rng, CHANNELS, size)
        rows = []
        for age, event_type, channel in zip(ages[offset : offset + size], types, channels, strict=True):
            data: dict[str, Any] = {}
            if event_type.startswith("question_"):
                data = {"question": rng.randint(1, 5)}
            elif event_type == "share_click":
                data = {"share_target": rng.choice(SHARE_TARGETS)}
            rows.append(
                {
                    "organization_id": organization_id,
                    "job_id": None if event_type == "career_site_view" else rng.choice(job_ids),
                    "type": event_type,
                    "occurred_at": now - timedelta(seconds=age),
                    "visitor_hash": rng.choice(hashes),
                    "data": data,
                    "channel": "direct",
                    "source": "direct",
                    "utm_source": None,
                    "utm_medium": None,
                    "utm_campaign": None,
                    "utm_term": None,
                    "utm_content": None,
                    "referrer_host": None,
                    "embed_host": None,
                    "share_channel": None,
                    "ambassador_code": None,
                    **attribution(rng, channel, codes),
                }
            )
        bulk_insert(table, rows)


def seed_applications(
    rng: random.Random,
    organization_id: int,
    job_ids: list[int],
    codes: list[str],
    recruiter_id: int,
    template_id: int,
    count: int,
    now: datetime,
) -> None:
    """Candidates, applications, their stage changes, invitations and first messages."""
    from app.models import (
        Application,
        ApplicationStageChange,
        Candidate,
        CandidateMessage,
        InterviewInvitation,
    )

    bulk_insert(
        Candidate.__table__,
        [
            {
                "organization_id": organization_id,
                "name": f"Person {number}",
                "email": f"p{number}@bench.example",
            }
            for number in range(count)
        ],
    )
    candidate_ids = ids_of(Candidate.__table__, organization_id)
    plans = []
    rows = []
    ages = sorted((rng.uniform(0, DAYS * 86400) for _ in candidate_ids), reverse=True)
    for candidate_id, age in zip(candidate_ids, ages, strict=True):
        submitted = now - timedelta(seconds=age)
        moves = plan_moves(rng, submitted, now)
        stage, closed_at = (moves[-1][0], moves[-1][1]) if moves else ("new", None)
        closed_at = closed_at if stage in ("hired", "rejected", "withdrawn") else None
        channel = weighted(rng, CHANNELS, 1)[0]
        plans.append((submitted, moves))
        rows.append(
            {
                "organization_id": organization_id,
                "job_id": rng.choice(job_ids),
                "candidate_id": candidate_id,
                "public_id": secrets.token_urlsafe(24),
                "stage": stage,
                "submitted_at": submitted,
                "closed_at": closed_at,
                "utm_source": None,
                "utm_medium": None,
                "utm_campaign": None,
                "embed_host": None,
                "ambassador_code": None,
                "referrer_host": None,
                **attribution(rng, channel, codes),
            }
        )
    bulk_insert(Application.__table__, rows)
    application_ids = ids_of(Application.__table__, organization_id)
    changes, invitations, messages = [], [], []
    for application_id, (submitted, moves) in zip(application_ids, plans, strict=True):
        previous = None
        for stage, when, by_staff in [("new", submitted, False), *moves]:
            changes.append(
                {
                    "organization_id": organization_id,
                    "application_id": application_id,
                    "from_stage": previous,
                    "to_stage": stage,
                    "actor_user_id": recruiter_id if by_staff else None,
                    "changed_at": when,
                }
            )
            previous = stage
            if stage == "interview_invited":
                completed = next((at for name, at, _ in moves if name == "interview_completed"), None)
                invitations.append(
                    {
                        "organization_id": organization_id,
                        "application_id": application_id,
                        "template_id": template_id,
                        "token_hash": secrets.token_hex(32),
                        "state": "completed" if completed else "sent",
                        "deadline": when + timedelta(days=7),
                        "sent_at": when,
                        "completed_at": completed,
                    }
                )
        if rng.random() < 0.2 and submitted + timedelta(days=3) < now:
            messages.append(
                {
                    "organization_id": organization_id,
                    "application_id": application_id,
                    "subject": "About your application",
                    "body": "Thank you.",
                    "sent_at": submitted + timedelta(days=rng.uniform(0.5, 3)),
                }
            )
    changes.sort(key=lambda change: change["changed_at"])
    messages.sort(key=lambda message: message["sent_at"])
    bulk_insert(ApplicationStageChange.__table__, changes)
    bulk_insert(InterviewInvitation.__table__, invitations)
    bulk_insert(CandidateMessage.__table__, messages)


def plan_moves(rng: random.Random, submitted: datetime, now: datetime) -> list[tuple[str, datetime, bool]]:
    """The stage moves an application made after ``submitted`` (none in the future)."""
    moves: list[tuple[str, datetime, bool]] = []
    when = submitted
    steps = (
        ("interview_invited", 0.45, (0.5, 5), True),
        ("interview_completed", 0.6, (1, 7), False),
        ("shortlisted", 0.5, (1, 5), True),
        ("hired", 0.3, (3, 20), True),
    )
    for stage, chance, (low, high), by_staff in steps:
        if rng.random() >= chance:
            if rng.random() < 0.6:
                end = "withdrawn" if rng.random() < 0.1 else "rejected"
                when += timedelta(days=rng.uniform(1, 10))
                if when < now:
                    moves.append((end, when, end == "rejected"))
            break
        when += timedelta(days=rng.uniform(low, high))
        if when >= now:
            break
        moves.append((stage, when, by_staff))
    return moves


def seed_voice_and_advocacy(
    rng: random.Random, organization_id: int, job_ids: list[int], applications: int, now: datetime
) -> None:
    """Survey answers, pulses, ambassadors' shares and clicks on their links."""
    from app.core.extensions import db
    from app.models import AmbassadorShare, Pulse, PulseResponse, ShareClick, ShareLink, SurveyResponse

    bulk_insert(
        SurveyResponse.__table__,
        [
            {
                "organization_id": organization_id,
                "job_id": rng.choice(job_ids),
                "touchpoint": rng.choice(("applied", "interview", "decision")),
                "score": rng.randint(0, 10),
                "answered_on": (now - timedelta(days=rng.uniform(0, DAYS))).date(),
            }
            for _ in range(max(1, applications // 10))
        ],
    )
    pulses = []
    for month in range(12):
        opens = (now - timedelta(days=30 * month + 20)).date()
        pulses.append(
            Pulse(organization_id=organization_id, opens_on=opens, closes_on=opens + timedelta(days=7))
        )
    db.session.add_all(pulses)
    db.session.commit()
    bulk_insert(
        PulseResponse.__table__,
        [
            {"pulse_id": pulse.id, "score": rng.randint(0, 10), "answered_on": pulse.opens_on}
            for pulse in pulses
            for _ in range(30)
        ],
    )
    db.session.commit()
    links = db.session.execute(
        db.select(ShareLink.id, ShareLink.ambassador_id, ShareLink.job_id).where(
            ShareLink.organization_id == organization_id
        )
    ).all()
    bulk_insert(
        ShareClick.__table__,
        [
            {
                "organization_id": organization_id,
                "share_link_id": rng.choice(links)[0],
                "occurred_at": now - timedelta(seconds=rng.uniform(0, DAYS * 86400)),
                "visitor_hash": secrets.token_hex(32),
            }
            for _ in range(max(1, applications // 5))
        ],
    )
    shares = {}
    for _ in range(max(1, applications // 20)):
        _, ambassador_id, job_id = rng.choice(links)
        channel = rng.choice(SHARE_TARGETS)
        day = (now - timedelta(days=rng.uniform(0, DAYS))).date()
        shares[(ambassador_id, job_id, channel, day)] = {
            "organization_id": organization_id,
            "ambassador_id": ambassador_id,
            "job_id": job_id,
            "channel": channel,
            "day": day,
        }
    bulk_insert(AmbassadorShare.__table__, list(shares.values()))


# -- the plain SQL the dashboard needs --------------------------------------------------------


def plain_queries(dialect: str, one_job: bool) -> list[str]:
    """The aggregates behind every dashboard figure, written by hand for ``dialect``."""
    sqlite = dialect == "sqlite"

    def days(start: str, end: str) -> str:
        if sqlite:
            return f"(julianday({end}) - julianday({start}))"
        return f"(CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION) / 86400.0)"

    def json_int(key: str) -> str:
        return f"json_extract(data, '$.{key}')" if sqlite else f"CAST(data ->> '{key}' AS INTEGER)"

    def json_text(key: str) -> str:
        return f"json_extract(data, '$.{key}')" if sqlite else f"(data ->> '{key}')"

    job = "AND job_id = :job" if one_job else ""
    events = f"organization_id = :org AND occurred_at >= :start AND occurred_at < :end {job}"
    cohort = f"SELECT id FROM applications WHERE organization_id = :org AND submitted_at >= :start AND submitted_at < :end {job}"
    ranks = (
        "CASE stage WHEN 'new' THEN 0 WHEN 'interview_invited' THEN 1 WHEN 'interview_completed' THEN 2 "
        "WHEN 'shortlisted' THEN 3 WHEN 'manager_review' THEN 4 WHEN 'offer' THEN 5 WHEN 'hired' THEN 6 END"
    )
    job_changes = (
        "AND application_id IN (SELECT id FROM applications WHERE organization_id = :org AND job_id = :job)"
    )
    return [
        "SELECT key, name, kind, position, archived FROM pipeline_stages WHERE organization_id = :org ORDER BY position",
        f"SELECT type, count(*) FROM journey_events WHERE {events} AND type IN ('card_view', 'apply_start') GROUP BY type",
        f"""WITH visited AS (
              SELECT application_id, to_stage AS stage FROM application_stage_changes WHERE application_id IN ({cohort})
              UNION ALL SELECT id, stage FROM applications WHERE id IN ({cohort})
              UNION ALL SELECT application_id, CASE WHEN completed_at IS NOT NULL THEN 'interview_completed'
                ELSE 'interview_invited' END FROM interview_invitations WHERE application_id IN ({cohort})),
            furthest AS (SELECT application_id, max({ranks}) AS r FROM visited GROUP BY application_id)
            SELECT count(*), sum(CASE WHEN r >= 1 THEN 1 ELSE 0 END), sum(CASE WHEN r >= 2 THEN 1 ELSE 0 END),
              sum(CASE WHEN r >= 3 THEN 1 ELSE 0 END), sum(CASE WHEN r >= 6 THEN 1 ELSE 0 END) FROM furthest""",
        f"""SELECT type, {json_int("question")} AS q, count(*) FROM journey_events
            WHERE {events} AND type IN ('question_started', 'question_submitted')
              AND ({json_int("attempt")} IS NULL OR {json_int("attempt")} <= 1) GROUP BY type, q""",
        f"""SELECT channel, embed_host, utm_source, utm_medium, utm_campaign, ambassador_code, count(*)
            FROM journey_events WHERE {events} AND type = 'card_view'
            GROUP BY channel, embed_host, utm_source, utm_medium, utm_campaign, ambassador_code""",
        f"""SELECT channel, embed_host, utm_source, utm_medium, utm_campaign, ambassador_code, count(*)
            FROM applications WHERE organization_id = :org AND submitted_at >= :start AND submitted_at < :end {job}
            GROUP BY channel, embed_host, utm_source, utm_medium, utm_campaign, ambassador_code""",
        f"""WITH stays AS (
              SELECT to_stage, changed_at, lead(changed_at) OVER (PARTITION BY application_id ORDER BY changed_at, id)
                AS left_at FROM application_stage_changes
              WHERE application_id IN (
                SELECT application_id FROM application_stage_changes
                WHERE organization_id = :org AND changed_at >= :start AND changed_at < :end)
                {job_changes if one_job else ""})
            SELECT to_stage, {days("changed_at", "left_at")} FROM stays WHERE left_at >= :start AND left_at < :end""",
        f"""WITH first_hire AS (
              SELECT application_id, min(changed_at) AS hired_at FROM application_stage_changes
              WHERE organization_id = :org AND to_stage IN ('hired') AND application_id IN (
                SELECT application_id FROM application_stage_changes WHERE organization_id = :org
                AND to_stage IN ('hired') AND changed_at >= :start AND changed_at < :end)
              GROUP BY application_id)
            SELECT a.job_id, {days("a.submitted_at", "f.hired_at")} FROM applications a
            JOIN first_hire f ON f.application_id = a.id
            WHERE f.hired_at >= :start AND f.hired_at < :end {"AND a.job_id = :job" if one_job else ""}""",
        "SELECT id, title FROM jobs WHERE organization_id = :org",
        "SELECT response_promise_days FROM organizations WHERE id = :org",
        f"""WITH answers AS (
              SELECT application_id, sent_at AS answered_at FROM candidate_messages
              WHERE application_id IN ({cohort})
              UNION ALL SELECT application_id, changed_at FROM application_stage_changes
              WHERE actor_user_id IS NOT NULL AND application_id IN ({cohort})),
            first AS (SELECT application_id, min(answered_at) AS first_at FROM answers GROUP BY application_id)
            SELECT {days("a.submitted_at", "f.first_at")}, a.closed_at IS NOT NULL, {days("a.submitted_at", ":now")}
            FROM applications a LEFT JOIN first f ON f.application_id = a.id
            WHERE a.organization_id = :org AND a.submitted_at >= :start AND a.submitted_at < :end
            {"AND a.job_id = :job" if one_job else ""}""",
        f"""SELECT touchpoint, score, count(*) FROM survey_responses WHERE organization_id = :org
            AND answered_on >= :first_day AND answered_on <= :last_day {job} GROUP BY touchpoint, score""",
        """SELECT p.id, p.opens_on, r.score, count(*) FROM pulses p JOIN pulse_responses r ON r.pulse_id = p.id
            WHERE p.organization_id = :org AND r.answered_on >= :first_day AND r.answered_on <= :last_day
            GROUP BY p.id, p.opens_on, r.score""",
        """SELECT a.code, u.name FROM ambassadors a JOIN users u ON u.id = a.user_id WHERE a.organization_id = :org""",
        f"""SELECT a.code, count(*) FROM ambassador_shares s JOIN ambassadors a ON a.id = s.ambassador_id
            WHERE s.organization_id = :org AND s.day >= :first_day AND s.day <= :last_day
            {"AND s.job_id = :job" if one_job else ""} GROUP BY a.code""",
        f"""SELECT a.code, count(*) FROM share_clicks c JOIN share_links l ON l.id = c.share_link_id
            JOIN ambassadors a ON a.id = l.ambassador_id
            WHERE c.organization_id = :org AND c.occurred_at >= :start AND c.occurred_at < :end
            {"AND l.job_id = :job" if one_job else ""} GROUP BY a.code""",
        f"""SELECT ambassador_code, count(*), sum(CASE WHEN stage IN ('hired') OR id IN (
              SELECT application_id FROM application_stage_changes WHERE organization_id = :org AND to_stage IN ('hired'))
              THEN 1 ELSE 0 END)
            FROM applications WHERE organization_id = :org AND submitted_at >= :start AND submitted_at < :end {job}
            AND ambassador_code IS NOT NULL GROUP BY ambassador_code""",
        f"""SELECT {json_text("share_target")} AS target, count(*) FROM journey_events
            WHERE {events} AND type = 'share_click' GROUP BY target""",
        f"""SELECT channel, count(*) FROM ambassador_shares WHERE organization_id = :org
            AND day >= :first_day AND day <= :last_day {job} GROUP BY channel""",
    ]


def plain_version_query() -> str:
    """The newest rows and the application count the live page's ETag is made of."""
    parts = [
        "(SELECT max(id) FROM journey_events WHERE organization_id = :org)",
        "(SELECT count(id) FROM applications WHERE organization_id = :org)",
        "(SELECT max(changed_at) FROM application_stage_changes WHERE organization_id = :org)",
        "(SELECT max(id) FROM candidate_messages WHERE organization_id = :org)",
        "(SELECT max(id) FROM survey_responses WHERE organization_id = :org)",
        "(SELECT max(occurred_at) FROM share_clicks WHERE organization_id = :org)",
        "(SELECT max(created_at) FROM ambassador_shares WHERE organization_id = :org)",
        "(SELECT max(r.id) FROM pulse_responses r JOIN pulses p ON p.id = r.pulse_id WHERE p.organization_id = :org)",
    ]
    return "SELECT " + ", ".join(parts)


def run_plain(queries: list[str], params: dict[str, Any]) -> None:
    """Run every query on a bare DBAPI cursor and fetch all rows."""
    from app.core.extensions import db

    sqlite = db.engine.dialect.name == "sqlite"
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for query in queries:
            used = {name: value for name, value in params.items() if f":{name}" in query}
            if not sqlite:
                query = re.sub(r"(?<!:):(\w+)", r"%(\1)s", query)
            cursor.execute(query, used)
            cursor.fetchall()
        connection.rollback()
    finally:
        connection.close()


# -- measuring --------------------------------------------------------------------------------


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``repeat`` runs after one warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(app, seeded: Seeded, database: str, repeat: int) -> list[Row]:
    """Each case's dashboard beside its plain SQL, and the poll's ETag version beside its query."""
    from app.analytics.filters import DashboardFilters
    from app.analytics.services import build_dashboard, dashboard_etag, dashboard_json
    from app.core.extensions import db

    sqlite = db.engine.dialect.name == "sqlite"
    rows = []
    today = seeded.now.date()
    for case in CASES:
        job_id = seeded.job_ids[0] if case.one_job else None
        filters = DashboardFilters(
            seeded.organization_id, today - timedelta(days=case.days - 1), today, job_id
        )
        params = {
            "org": seeded.organization_id,
            "job": job_id,
            "start": db_value(filters.start, sqlite),
            "end": db_value(filters.end, sqlite),
            "first_day": db_value(filters.first_day, sqlite),
            "last_day": db_value(filters.last_day, sqlite),
            "now": db_value(seeded.now, sqlite),
        }
        queries = plain_queries(db.engine.dialect.name, case.one_job)

        def dashboard(filters: DashboardFilters = filters) -> object:
            db.session.remove()
            with app.test_request_context():
                return dashboard_json(build_dashboard(filters, seeded.now))

        service = median_seconds(dashboard, repeat)
        plain = median_seconds(lambda queries=queries, params=params: run_plain(queries, params), repeat)
        rows.append(Row(database, case.label, service, plain))

    def version() -> object:
        db.session.remove()
        return dashboard_etag(filters, "en", seeded.now)

    params = {"org": seeded.organization_id}
    rows.append(
        Row(
            database,
            "poll: ETag version (304)",
            median_seconds(version, repeat),
            median_seconds(lambda: run_plain([plain_version_query()], params), repeat),
        )
    )
    return rows


def bench_database(
    name: str, url: str, workdir: Path, args: argparse.Namespace, schema: str | None
) -> list[Row]:
    """Seed one database, measure it, and drop it."""
    from app.core.extensions import db

    with migrated_app(url, workdir, schema) as app:
        started = time.perf_counter()
        seeded = seed_organization(args.events, args.applications)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load; SQLite runs as deployed, without statistics.
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        print(f"{name}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
        return measure(app, seeded, name, args.repeat)


def print_rows(rows: list[Row]) -> None:
    """The table: times in milliseconds, the ratio of the service to the plain SQL, and the verdict."""
    header = (
        f"{'database':<11} {'dashboard':<26} {'service ms':>11} {'plain SQL ms':>13} {'ratio':>6}  target 2x"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        verdict = "within" if row.ratio <= TARGET_RATIO else "over"
        print(
            f"{row.database:<11} {row.label:<26} {row.service * 1000:>11.1f} {row.plain * 1000:>13.1f} "
            f"{row.ratio:>6.2f}  {verdict}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick for a small run."""
    parser = argparse.ArgumentParser(prog="python -m bench analytics", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_EVENTS:,} events, {QUICK_APPLICATIONS:,} applications"
    )
    parser.add_argument("--events", type=int, help=f"journey events (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--applications", type=int, help=f"applications (default {DEFAULT_APPLICATIONS:,})")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per measurement, after a warm-up (default 3)"
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: TEST_DATABASE_URL, if set)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL even when configured")
    args = parser.parse_args(argv)
    args.events = args.events or (QUICK_EVENTS if args.quick else DEFAULT_EVENTS)
    args.applications = args.applications or (QUICK_APPLICATIONS if args.quick else DEFAULT_APPLICATIONS)
    args.postgres = None if args.sqlite_only else (args.postgres or os.environ.get("TEST_DATABASE_URL"))
    if min(args.events, args.applications, args.repeat) < 1:
        parser.error("--events, --applications and --repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Seed, measure and print on SQLite (and PostgreSQL when given); always clean up."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="openround-bench-analytics-"))
    print(
        f"analytics bench: {args.events:,} events, {args.applications:,} applications, {JOBS} jobs over "
        f"{DAYS} days; median of {args.repeat} runs after a warm-up; {os.cpu_count()} CPUs\n",
        flush=True,
    )
    rows: list[Row] = []
    try:
        rows += bench_database("SQLite", f"sqlite:///{workdir / 'analytics.db'}", workdir, args, None)
        if args.postgres:
            schema = f"bench_analytics_{secrets.token_hex(4)}"
            rows += bench_database("PostgreSQL", args.postgres, workdir, args, schema)
        else:
            print("PostgreSQL: skipped (give --postgres URL or set TEST_DATABASE_URL)")
        print()
        print_rows(rows)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
