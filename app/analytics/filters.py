# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a dashboard looks at: one organization, a range of UTC days and optionally one job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from app.core.errors import Invalid, PermissionDenied
from app.core.extensions import db
from app.models import Job, Role, User

ANALYTICS_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366 + 1


@dataclass(frozen=True)
class DashboardFilters:
    """The organization, the first and last day (UTC, both included) and the job, if one."""

    organization_id: int
    first_day: date
    last_day: date
    job_id: int | None = None

    @property
    def start(self) -> datetime:
        """The first instant of the range."""
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the range."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)

    def query_args(self) -> dict[str, str]:
        """The filters as URL query arguments (the same names the filter form uses)."""
        args = {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}
        if self.job_id is not None:
            args["job"] = str(self.job_id)
        return args


def check_analytics_access(actor: User) -> None:
    """Only administrators and recruiters read the organization's analytics."""
    if actor.role not in ANALYTICS_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters can see analytics.")))


def default_range(today: date) -> tuple[date, date]:
    """The last 30 days, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def resolve_filters(
    actor: User,
    *,
    first_day: date | None,
    last_day: date | None,
    job_id: int | None,
    today: date | None = None,
) -> DashboardFilters:
    """Validated filters for ``actor``'s organization; missing days default to the last 30 days."""
    check_analytics_access(actor)
    today = today or datetime.now(UTC).date()
    if first_day is None:
        if last_day is None:
            first_day, last_day = default_range(today)
        else:
            first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    elif last_day is None:
        last_day = first_day + timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        raise Invalid(str(_l("The first day must not be after the last day.")), field="end")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise Invalid(str(_l("Choose a range of at most three years.")), field="start")
    if job_id is not None:
        job = db.session.get(Job, job_id)
        if job is None or job.organization_id != actor.organization_id:
            raise Invalid(str(_l("Choose one of your organization's jobs.")), field="job")
    return DashboardFilters(actor.organization_id, first_day, last_day, job_id)


def jobs_for_filter(actor: User) -> list[tuple[int, str]]:
    """The organization's jobs (every status) as (id, title), for the job filter."""
    check_analytics_access(actor)
    rows = db.session.execute(
        db.select(Job.id, Job.title)
        .where(Job.organization_id == actor.organization_id)
        .order_by(Job.title, Job.id)
    )
    return [(job_id, title) for job_id, title in rows]
