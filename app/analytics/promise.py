# SPDX-License-Identifier: AGPL-3.0-or-later
"""The response promise: how soon applicants hear from a person, and who waits past the promise.

An application "got an answer" at its first ``CandidateMessage`` or its first stage change made
by staff (``actor_user_id`` set), whichever came first. Automatic moves and the candidate's own
withdrawal are not answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, literal, union_all

from app.analytics.filters import DashboardFilters
from app.analytics.funnel import cohort_filter, cohort_ids
from app.analytics.sql import days_between
from app.analytics.tables import (
    COUNT,
    DAYS,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Table,
    mean_days,
    median_days,
    percent,
)
from app.core.extensions import db
from app.models import Application, ApplicationStageChange, CandidateMessage, Organization, UTCDateTime

ANSWERED_IN_TIME = "answered_in_time"
ANSWERED_LATE = "answered_late"
WAITING = "waiting"
WAITING_PAST_PROMISE = "waiting_past_promise"
CLOSED_UNANSWERED = "closed_unanswered"


@dataclass(frozen=True)
class PromiseFigures:
    """The cohort sorted by how its answer went, and the waits of those answered."""

    promise_days: int
    statuses: Counter[str]
    waits: list[float]


def promise_days(organization_id: int) -> int:
    """The organization's promise in days."""
    return db.session.get_one(Organization, organization_id).response_promise_days


def promise_figures(filters: DashboardFilters, now: datetime | None = None) -> PromiseFigures:
    """Each cohort application's first answer (if any) compared with the organization's promise."""
    now = now or datetime.now(UTC)
    days = promise_days(filters.organization_id)
    cohort = cohort_ids(filters)
    answers = union_all(
        # The cohort is the organization's: reaching rows by application uses their indexes.
        db.select(CandidateMessage.application_id, CandidateMessage.sent_at.label("answered_at")).where(
            CandidateMessage.application_id.in_(cohort)
        ),
        db.select(ApplicationStageChange.application_id, ApplicationStageChange.changed_at).where(
            ApplicationStageChange.actor_user_id.is_not(None),
            ApplicationStageChange.application_id.in_(cohort),
        ),
    ).subquery()
    first = (
        db.select(answers.c.application_id, func.min(answers.c.answered_at).label("first_at"))
        .group_by(answers.c.application_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(
            days_between(Application.submitted_at, first.c.first_at),
            Application.closed_at.is_not(None),
            days_between(Application.submitted_at, literal(now, UTCDateTime)),
        )
        .outerjoin(first, first.c.application_id == Application.id)
        .where(*cohort_filter(filters))
    )
    statuses: Counter[str] = Counter()
    waits: list[float] = []
    for wait, closed, age in rows:
        if wait is not None:
            waits.append(float(wait))
            statuses[ANSWERED_IN_TIME if wait <= days else ANSWERED_LATE] += 1
        elif closed:
            statuses[CLOSED_UNANSWERED] += 1
        else:
            statuses[WAITING if age <= days else WAITING_PAST_PROMISE] += 1
    return PromiseFigures(days, statuses, waits)


def status_labels(days: int) -> list[tuple[str, str]]:
    """The statuses in the order shown, with their names."""
    return [
        (ANSWERED_IN_TIME, _("Answered within %(days)d days", days=days)),
        (ANSWERED_LATE, _("Answered later than promised")),
        (WAITING, _("Waiting, still within the promise")),
        (WAITING_PAST_PROMISE, _("Waiting past the promise")),
        (CLOSED_UNANSWERED, _("Closed without an answer (withdrawn)")),
    ]


def promise_tables(filters: DashboardFilters, now: datetime | None = None) -> list[Table]:
    """The cohort by answer status, and the time to a first answer."""
    figures = promise_figures(filters, now)
    total = sum(figures.statuses.values())
    statuses = Table(
        "response_promise",
        _("Response promise: an answer within %(days)d days", days=figures.promise_days),
        [
            Column("status", _("Status"), TEXT),
            Column("applications", _("Applications"), COUNT),
            Column("share", _("Share of applications"), PERCENT),
        ],
        chart=Chart("doughnut", "status", ("applications",)),
    )
    if total:
        for key, label in status_labels(figures.promise_days):
            statuses.rows.append([label, figures.statuses[key], percent(figures.statuses[key], total)])
    first_answer = Table(
        "first_answer",
        _("Time to a first answer"),
        [
            Column("answered", _("Answered applications"), COUNT),
            Column("mean_days", _("Mean days"), DAYS),
            Column("median_days", _("Median days"), DAYS),
        ],
    )
    if figures.waits:
        first_answer.rows.append([len(figures.waits), mean_days(figures.waits), median_days(figures.waits)])
    return [statuses, first_answer]
