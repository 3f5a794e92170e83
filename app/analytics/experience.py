# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidate experience (cNPS per touchpoint) and employee eNPS per pulse, never for tiny segments.

A segment with fewer than ``MIN_ANSWERS`` (5) answers shows how many answers it has and
nothing else: a score of two people is an anecdote and, for anonymous answers, could point
at a person.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import func

from app.analytics.filters import DashboardFilters
from app.analytics.tables import COUNT, SCORE, TEXT, Cell, Chart, Column, Table
from app.core.extensions import db
from app.models import Pulse, PulseResponse, SurveyResponse, Touchpoint
from app.voice.nps import MIN_ANSWERS
from app.voice.services import TOUCHPOINT_LABELS


def nps_cells(scores: dict[int, int]) -> list[Cell]:
    """Answers, promoters, passives, detractors and the score; all but the count hidden below 5."""
    answers = sum(scores.values())
    if answers < MIN_ANSWERS:
        return [answers, None, None, None, None]
    promoters = sum(count for score, count in scores.items() if score >= 9)
    passives = sum(count for score, count in scores.items() if 7 <= score <= 8)
    detractors = answers - promoters - passives
    return [answers, promoters, passives, detractors, round(100 * (promoters - detractors) / answers)]


def nps_columns(first: Column, score_label: str) -> list[Column]:
    """A label column, the counts, and the score."""
    return [
        first,
        Column("answers", _("Answers"), COUNT),
        Column("promoters", _("Promoters (9 to 10)"), COUNT),
        Column("passives", _("Passives (7 to 8)"), COUNT),
        Column("detractors", _("Detractors (0 to 6)"), COUNT),
        Column("score", score_label, SCORE),
    ]


def small_segment_note() -> str:
    """Why some cells are empty."""
    return _(
        "Segments with fewer than %(count)d answers show only how many answers they have.", count=MIN_ANSWERS
    )


def candidate_scores(filters: DashboardFilters) -> dict[str, dict[int, int]]:
    """How many candidates gave each score at each touchpoint, answered in the range."""
    query = (
        db.select(SurveyResponse.touchpoint, SurveyResponse.score, func.count())
        .where(
            SurveyResponse.organization_id == filters.organization_id,
            SurveyResponse.answered_on >= filters.first_day,
            SurveyResponse.answered_on <= filters.last_day,
        )
        .group_by(SurveyResponse.touchpoint, SurveyResponse.score)
    )
    if filters.job_id is not None:
        query = query.where(SurveyResponse.job_id == filters.job_id)
    scores: dict[str, dict[int, int]] = defaultdict(dict)
    for touchpoint, score, count in db.session.execute(query):
        scores[Touchpoint(touchpoint).value][score] = count
    return scores


def cnps_table(filters: DashboardFilters) -> Table:
    """cNPS at each touchpoint and over all of them."""
    scores = candidate_scores(filters)
    table = Table(
        "cnps",
        _("Candidate experience (cNPS)"),
        nps_columns(Column("touchpoint", _("Touchpoint"), TEXT), _("cNPS")),
        chart=Chart("bar", "touchpoint", ("score",)),
        note=small_segment_note(),
    )
    overall: dict[int, int] = defaultdict(int)
    for touchpoint in Touchpoint:
        for score, count in scores.get(touchpoint.value, {}).items():
            overall[score] += count
        table.rows.append([str(TOUCHPOINT_LABELS[touchpoint]), *nps_cells(scores.get(touchpoint.value, {}))])
    table.rows.append([_("All touchpoints"), *nps_cells(overall)])
    return table


def enps_table(filters: DashboardFilters) -> Table:
    """eNPS of each pulse answered in the range, oldest first (for the whole organization)."""
    rows = db.session.execute(
        db.select(Pulse.id, Pulse.opens_on, PulseResponse.score, func.count())
        .join(PulseResponse, PulseResponse.pulse_id == Pulse.id)
        .where(
            Pulse.organization_id == filters.organization_id,
            PulseResponse.answered_on >= filters.first_day,
            PulseResponse.answered_on <= filters.last_day,
        )
        .group_by(Pulse.id, Pulse.opens_on, PulseResponse.score)
    )
    pulses: dict[tuple, dict[int, int]] = defaultdict(dict)
    for pulse_id, opens_on, score, count in rows:
        pulses[(opens_on, pulse_id)][score] = count
    table = Table(
        "enps",
        _("Employee eNPS per pulse (whole organization)"),
        nps_columns(Column("pulse", _("Pulse opened on"), TEXT), _("eNPS")),
        chart=Chart("line", "pulse", ("score",)),
        note=small_segment_note(),
    )
    for opens_on, pulse_id in sorted(pulses):
        table.rows.append([opens_on.isoformat(), *nps_cells(pulses[(opens_on, pulse_id)])])
    return table
