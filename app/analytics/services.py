# SPDX-License-Identifier: AGPL-3.0-or-later
"""The analytics dashboard: which figures it shows, exactly how each is counted, and its version.

Every figure is for one organization, a range of UTC days (first and last day included) and
optionally one job. Two kinds of counting meet in the funnel:

- **Top of the funnel: events in the range.** *Job card views* are ``card_view`` journey events
  and *Apply started* are ``apply_start`` events that occurred in the range (for a job: events
  of that job). A visitor who looks twice counts twice; visitors are never identified.
- **The rest: the cohort of applications submitted in the range.** *Applied* is the number of
  applications submitted in the range. Each later step counts the cohort's applications that
  *reached* that stage at any time, even after the range: an application reached a stage if it
  ever moved into it or into a later one. "Later" follows the organization's pipeline order of
  open stages, with every stage of kind *hired* after all of them; rejected and withdrawn stages
  reach nothing (so an application rejected after its interview still counts as interviewed).
  An interview invitation counts as reaching *Interview invited*, a completed one as reaching
  *Interview completed*, even where no stage move was recorded. *Hired* is any stage of kind hired.
- **Conversion** is a step's count as a percentage of the step before (one decimal, rounded half
  up); **drop-off** is the step before minus this step; **share of job card views** divides by
  the first step. A percentage of nothing (the step before counted zero) is shown as a dash.

Other figures:

- **Interview questions**: ``question_started`` and ``question_submitted`` events in the range by
  the question's place in the interview (``data.question``); a re-take (``data.attempt`` > 1) is not
  counted again. *Left without submitting* is started minus submitted.
- **Sources**: job card views (events in the range) and applications (the cohort) by channel,
  embedding website, and utm source/medium/campaign, from the attribution each row carries.
- **Time in each stage**: a stay starts with a stage change and ends with the application's next
  stage change; stays that *ended* in the range are counted (mean and median days, one decimal).
  Stays still going on have no length yet and are left out.
- **Time to hire**: hires made in the range (an application's first move into a hired stage),
  days from submission to that move, for all jobs and per job.
- **Response promise** (cohort): see ``app/analytics/promise.py``.
- **cNPS** per touchpoint for candidate answers given in the range, **eNPS** per pulse for answers
  given in the range; fewer than 5 answers show no score (``app/analytics/experience.py``).
- **Advocacy**: see ``app/analytics/advocacy.py``.

The page keeps itself current by polling its JSON with ETags (``app/analytics/live.py``); every
table also downloads as CSV with the same numbers, and the journey as JSON Lines
(``app/analytics/export.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import func

from app.analytics import advocacy, experience, funnel, promise, sources, timing
from app.analytics.filters import DashboardFilters
from app.analytics.tables import Section, Table
from app.core.errors import NotFound
from app.core.extensions import db
from app.models import (
    AmbassadorShare,
    Application,
    ApplicationStageChange,
    CandidateMessage,
    JourneyEvent,
    Pulse,
    PulseResponse,
    ShareClick,
    SurveyResponse,
)


@dataclass
class DashboardContext:
    """The filters, the moment the figures are for, and work shared by several tables."""

    filters: DashboardFilters
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @cached_property
    def sources(self) -> sources.SourceCounts:
        """Views and applications per attribution, counted once for every source table."""
        return sources.count_sources(self.filters)

    @cached_property
    def promise_tables(self) -> dict[str, Table]:
        """Both response-promise tables, counted together."""
        return {table.key: table for table in promise.promise_tables(self.filters, self.now)}


TableBuilder = Callable[[DashboardContext], Table]
TABLE_BUILDERS: dict[str, TableBuilder] = {
    "funnel": lambda context: funnel.funnel_table(context.filters),
    "questions": lambda context: funnel.questions_table(context.filters),
    "channels": lambda context: sources.channels_table(context.sources),
    "embed_hosts": lambda context: sources.embed_hosts_table(context.sources),
    "campaigns": lambda context: sources.campaigns_table(context.sources),
    "stage_times": lambda context: timing.time_in_stage_table(context.filters),
    "time_to_hire": lambda context: timing.time_to_hire_table(context.filters),
    "response_promise": lambda context: context.promise_tables["response_promise"],
    "first_answer": lambda context: context.promise_tables["first_answer"],
    "cnps": lambda context: experience.cnps_table(context.filters),
    "enps": lambda context: experience.enps_table(context.filters),
    "ambassadors": lambda context: advocacy.ambassadors_table(context.filters, context.sources),
    "shares": lambda context: advocacy.shares_table(context.filters),
}


def section_layout() -> list[tuple[str, str, tuple[str, ...]]]:
    """The dashboard's sections in order: key, translated title, and the tables each holds."""
    return [
        ("funnel", _("Funnel"), ("funnel", "questions")),
        ("sources", _("Sources and channels"), ("channels", "embed_hosts", "campaigns")),
        ("timing", _("Time in stage and time to hire"), ("stage_times", "time_to_hire")),
        ("promise", _("Response promise"), ("response_promise", "first_answer")),
        ("experience", _("Candidate and employee experience"), ("cnps", "enps")),
        ("advocacy", _("Advocacy"), ("ambassadors", "shares")),
    ]


def build_dashboard(filters: DashboardFilters, now: datetime | None = None) -> list[Section]:
    """Every section of the dashboard with its tables, computed now."""
    context = DashboardContext(filters, now or datetime.now(UTC))
    return [
        Section(key, title, [TABLE_BUILDERS[table_key](context) for table_key in table_keys])
        for key, title, table_keys in section_layout()
    ]


def build_table(filters: DashboardFilters, key: str, now: datetime | None = None) -> Table:
    """One table of the dashboard (for its CSV export); NotFound for an unknown key."""
    builder = TABLE_BUILDERS.get(key)
    if builder is None:
        raise NotFound(str(_("There is no such table on the dashboard.")))
    return builder(DashboardContext(filters, now or datetime.now(UTC)))


def dashboard_json(sections: list[Section]) -> dict:
    """The dashboard as the live page polls it."""
    return {
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "tables": [table.to_json() for table in section.tables],
            }
            for section in sections
        ]
    }


def data_version(organization_id: int) -> tuple:
    """A cheap fingerprint of the organization's analytics data: the newest rows and a row count.

    Journey events, stage changes, messages, answers, clicks and shares are only ever added, so the
    newest id (or time, where an index on the organization and that time finds it in one step)
    moves whenever something happens; the count of applications also moves when data is deleted.
    """
    org = organization_id
    newest = [
        db.select(func.max(JourneyEvent.id)).where(JourneyEvent.organization_id == org),
        db.select(func.count(Application.id)).where(Application.organization_id == org),
        db.select(func.max(ApplicationStageChange.changed_at)).where(
            ApplicationStageChange.organization_id == org
        ),
        db.select(func.max(CandidateMessage.id)).where(CandidateMessage.organization_id == org),
        db.select(func.max(SurveyResponse.id)).where(SurveyResponse.organization_id == org),
        db.select(func.max(ShareClick.occurred_at)).where(ShareClick.organization_id == org),
        db.select(func.max(AmbassadorShare.created_at)).where(AmbassadorShare.organization_id == org),
        db.select(func.max(PulseResponse.id))
        .join(Pulse, Pulse.id == PulseResponse.pulse_id)
        .where(Pulse.organization_id == org),
    ]
    return tuple(db.session.execute(db.select(*[query.scalar_subquery() for query in newest])).one())


def dashboard_etag(filters: DashboardFilters, locale: str, now: datetime | None = None) -> str:
    """The ETag of the dashboard's JSON: data version, filters, language and the hour.

    The hour is part of it because waiting times grow without any new row.
    """
    now = now or datetime.now(UTC)
    material = repr((data_version(filters.organization_id), filters, locale, now.strftime("%Y-%m-%dT%H")))
    return hashlib.sha256(material.encode()).hexdigest()[:32]
