# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading a job's pipeline: the board's columns and the filtered, sorted, paginated list.

Every page issues the same number of queries whatever the number of applications: counts and
ratings come from grouped subqueries (so the list can filter and sort by rating), the time in
stage from an indexed subquery per row shown, and tags from one ``IN`` query per page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnOperators, Select, and_, case, exists, func, or_, select
from sqlalchemy.sql.selectable import ScalarSelect, Subquery

from app.core.extensions import db
from app.models import (
    Application,
    ApplicationStageChange,
    ApplicationTag,
    Candidate,
    InterviewAnswer,
    InterviewInvitation,
    Job,
    Review,
    StageKind,
    Tag,
    utcnow,
)
from app.pipeline.stages import Stage, stages_for

CARDS_PER_COLUMN = 25
EXPANDED_CARDS = 200
APPLICATIONS_PER_PAGE = 50
MAX_SEARCH_WORDS = 8
SORTS = ("applied", "name", "rating", "stage")


@dataclass(frozen=True)
class Card:
    """One application as the board and the list show it."""

    id: int
    public_id: str
    name: str
    stage: str
    submitted_at: datetime
    in_stage_since: datetime
    rating: float | None
    review_count: int
    channel: str
    source: str
    knockout: bool
    tags: tuple[str, ...] = ()

    @property
    def days_in_stage(self) -> int:
        """Whole days since the application reached its stage."""
        return max(0, (utcnow() - self.in_stage_since).days)


@dataclass(frozen=True)
class Column:
    """A stage of the board with its count and the first cards."""

    stage: Stage
    count: int
    cards: list[Card]
    expanded: bool = False

    @property
    def hidden(self) -> int:
        """How many of the stage's applications are not shown."""
        return self.count - len(self.cards)


@dataclass(frozen=True)
class Board:
    """A job's board: the columns, and the stages an application can be moved to."""

    job: Job
    columns: list[Column]
    targets: list[Stage]

    @property
    def total(self) -> int:
        """Every application of the job."""
        return sum(column.count for column in self.columns)


@dataclass(frozen=True)
class ListFilters:
    """What the list is narrowed to and how it is sorted."""

    stages: tuple[str, ...] = ()
    min_rating: float | None = None
    channels: tuple[str, ...] = ()
    source: str = ""
    applied_from: date | None = None
    applied_to: date | None = None
    tags: tuple[str, ...] = ()
    search: str = ""
    sort: str = "applied"
    descending: bool = True


@dataclass(frozen=True)
class Page:
    """One page of the list."""

    items: list[Card]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages


# -- building blocks ------------------------------------------------------------------------------


def job_application_ids(job: Job) -> Select:
    """The ids of the job's applications, for ``IN`` conditions."""
    return select(Application.id).where(
        Application.job_id == job.id, Application.organization_id == job.organization_id
    )


def rating_subquery(job: Job, within: Select | None = None) -> Subquery:
    """Per application of a job (or of ``within``): the mean overall rating of its submitted reviews and how many."""
    return (
        select(
            Review.application_id.label("application_id"),
            func.avg(Review.overall_rating).label("rating"),
            func.count(Review.id).label("review_count"),
        )
        .where(
            Review.application_id.in_(within if within is not None else job_application_ids(job)),
            Review.organization_id == job.organization_id,
            Review.submitted_at.is_not(None),
            Review.overall_rating.is_not(None),
        )
        .group_by(Review.application_id)
        .subquery("ratings")
    )


def stage_since() -> ScalarSelect:
    """When the application in the outer query last changed stage (one index lookup per row shown)."""
    return (
        select(func.max(ApplicationStageChange.changed_at))
        .where(ApplicationStageChange.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )


def card_select(job: Job, within: Select | None = None) -> tuple[Select, Subquery]:
    """The columns of a card for the job's applications, and the ratings subquery (to filter and sort).

    ``within`` (a select of application ids) limits the grouped ratings to the cards on screen.
    """
    ratings = rating_subquery(job, within)
    query = (
        select(
            Application.id,
            Application.public_id,
            Candidate.name,
            Application.stage,
            Application.submitted_at,
            func.coalesce(stage_since(), Application.submitted_at).label("since"),
            ratings.c.rating,
            func.coalesce(ratings.c.review_count, 0).label("review_count"),
            Application.channel,
            Application.source,
            Application.knockout,
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(ratings, ratings.c.application_id == Application.id)
        .where(Application.job_id == job.id, Application.organization_id == job.organization_id)
    )
    return query, ratings


def tags_by_application(application_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The tag names of each application, alphabetically, in one query."""
    rows = db.session.execute(
        select(ApplicationTag.application_id, Tag.name)
        .join(Tag, Tag.id == ApplicationTag.tag_id)
        .where(ApplicationTag.application_id.in_(list(application_ids)))
        .order_by(Tag.name)
    )
    tags: dict[int, list[str]] = {}
    for application_id, name in rows:
        tags.setdefault(application_id, []).append(name)
    return {application_id: tuple(names) for application_id, names in tags.items()}


def cards_from(rows: Sequence) -> list[Card]:
    """Cards from rows of ``card_select``, with their tags."""
    tags = tags_by_application(row.id for row in rows)
    return [
        Card(
            id=row.id,
            public_id=row.public_id,
            name=row.name,
            stage=row.stage,
            submitted_at=row.submitted_at,
            in_stage_since=_aware(row.since),
            rating=float(row.rating) if row.rating is not None else None,
            review_count=int(row.review_count or 0),
            channel=row.channel,
            source=row.source or "",
            knockout=bool(row.knockout),
            tags=tags.get(row.id, ()),
        )
        for row in rows
    ]


def _aware(value: datetime | str) -> datetime:
    # SQLite hands back aggregates of datetimes (max, coalesce) as text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def stage_counts(job: Job) -> dict[str, int]:
    """How many of the job's applications are in each stage."""
    rows = db.session.execute(
        select(Application.stage, func.count(Application.id))
        .where(Application.job_id == job.id, Application.organization_id == job.organization_id)
        .group_by(Application.stage)
    )
    return {stage: count for stage, count in rows}


# -- the board ------------------------------------------------------------------------------------


def build_board(job: Job, expanded: Iterable[str] = ()) -> Board:
    """The job's columns: every usable stage, plus archived or unknown stages that still hold applications."""
    expanded = tuple(expanded)
    stages = stages_for(job.organization_id, include_archived=True)
    counts = stage_counts(job)
    known = {stage.key for stage in stages}
    leftovers = [
        Stage(key, key, StageKind.OPEN, len(stages), archived=True) for key in counts if key not in known
    ]
    shown = [stage for stage in [*stages, *leftovers] if not stage.archived or counts.get(stage.key)]
    cards = board_cards(job, expanded)
    by_stage: dict[str, list[Card]] = {}
    for card in cards:
        by_stage.setdefault(card.stage, []).append(card)
    columns = [
        Column(stage, counts.get(stage.key, 0), by_stage.get(stage.key, []), stage.key in expanded)
        for stage in shown
    ]
    return Board(job, columns, [stage for stage in stages if not stage.archived])


def board_cards(job: Job, expanded: Sequence[str]) -> list[Card]:
    """The first cards of every column in one query (longest waiting first), ranked per stage."""
    ranked = (
        select(
            Application.id.label("id"),
            Application.stage.label("stage"),
            func.row_number()
            .over(partition_by=Application.stage, order_by=(Application.submitted_at, Application.id))
            .label("rank"),
        )
        .where(Application.job_id == job.id, Application.organization_id == job.organization_id)
        .subquery("ranked")
    )
    visible = ranked.c.rank <= CARDS_PER_COLUMN
    if expanded:
        visible = or_(visible, and_(ranked.c.stage.in_(expanded), ranked.c.rank <= EXPANDED_CARDS))
    query, _ = card_select(job, within=select(ranked.c.id).where(visible))
    rows = db.session.execute(
        query.join(ranked, ranked.c.id == Application.id)
        .where(visible)
        .order_by(ranked.c.stage, ranked.c.rank)
    ).all()
    return cards_from(rows)


# -- the list -------------------------------------------------------------------------------------


def search_condition(words: Sequence[str]):
    """Every word appears in the name, e-mail, CV text, or an interview transcript or written answer."""
    conditions = []
    for word in words:
        in_answers = exists(
            select(InterviewAnswer.id)
            .join(InterviewInvitation, InterviewInvitation.id == InterviewAnswer.invitation_id)
            .where(
                InterviewInvitation.application_id == Application.id,
                or_(
                    InterviewAnswer.transcript.icontains(word, autoescape=True),
                    InterviewAnswer.text.icontains(word, autoescape=True),
                ),
            )
        )
        conditions.append(
            or_(
                Candidate.name.icontains(word, autoescape=True),
                Candidate.email.icontains(word, autoescape=True),
                Application.cv_text.icontains(word, autoescape=True),
                in_answers,
            )
        )
    return and_(*conditions)


def search_words(text: str) -> list[str]:
    """The words of a search, at most a handful."""
    return text.split()[:MAX_SEARCH_WORDS]


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered_select(job: Job, filters: ListFilters) -> tuple[Select, Subquery]:
    """The job's cards narrowed by the filters (not yet sorted)."""
    query, ratings = card_select(job)
    if filters.stages:
        query = query.where(Application.stage.in_(filters.stages))
    if filters.min_rating is not None:
        query = query.where(ratings.c.rating >= filters.min_rating)
    if filters.channels:
        query = query.where(Application.channel.in_(filters.channels))
    if filters.source:
        query = query.where(Application.source.icontains(filters.source, autoescape=True))
    if filters.applied_from:
        query = query.where(Application.submitted_at >= start_of_day(filters.applied_from))
    if filters.applied_to:
        query = query.where(Application.submitted_at < start_of_day(filters.applied_to + timedelta(days=1)))
    for name in filters.tags:
        query = query.where(
            exists(
                select(ApplicationTag.application_id)
                .join(Tag, Tag.id == ApplicationTag.tag_id)
                .where(
                    ApplicationTag.application_id == Application.id,
                    Tag.organization_id == job.organization_id,
                    Tag.name == name,
                )
            )
        )
    words = search_words(filters.search)
    if words:
        query = query.where(search_condition(words))
    return query, ratings


def sort_keys(filters: ListFilters, ratings: Subquery, stages: Sequence[Stage]) -> list:
    """ORDER BY terms for the chosen sort; unrated applications always come last."""
    key: ColumnOperators
    if filters.sort == "name":
        key = func.lower(Candidate.name)
    elif filters.sort == "rating":
        key = ratings.c.rating
    elif filters.sort == "stage":
        positions = {stage.key: index for index, stage in enumerate(stages)}
        key = (
            case(positions, value=Application.stage, else_=len(positions)) if positions else Application.stage
        )
    else:
        key = Application.submitted_at
    terms: list[ColumnOperators] = [key.desc() if filters.descending else key.asc()]
    if filters.sort == "rating":
        terms.insert(0, case((ratings.c.rating.is_(None), 1), else_=0))
    return [*terms, Application.id.desc() if filters.descending else Application.id.asc()]


def list_page(
    job: Job,
    filters: ListFilters,
    page: int = 1,
    per_page: int = APPLICATIONS_PER_PAGE,
    stages: list[Stage] | None = None,
) -> Page:
    """One page of the job's applications matching the filters, and how many match in all."""
    page = max(1, page)
    if stages is None:
        stages = stages_for(job.organization_id, include_archived=True)
    query, ratings = filtered_select(job, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery("matching"))) or 0
    rows = db.session.execute(
        query.order_by(*sort_keys(filters, ratings, stages)).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(cards_from(rows), page, per_page, total)
