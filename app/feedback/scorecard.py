# SPDX-License-Identifier: AGPL-3.0-or-later
"""What reviewers said, summarised for a recruiter who may share some of it with the candidate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.extensions import db
from app.models.review import CriterionScore, Review, ReviewComment, ScorecardCriterion


@dataclass(frozen=True)
class CriterionSummary:
    """One scorecard criterion of one application: its mean score over the submitted reviews."""

    criterion_id: int
    name: str
    guidance: str
    mean: float
    count: int


def criterion_summaries(application_ids: Sequence[int]) -> dict[int, list[CriterionSummary]]:
    """Mean criterion scores of submitted reviews, per application, in scorecard order (one query)."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        db.select(
            Review.application_id,
            ScorecardCriterion.id,
            ScorecardCriterion.name,
            ScorecardCriterion.guidance,
            ScorecardCriterion.position,
            db.func.avg(CriterionScore.score),
            db.func.count(CriterionScore.id),
        )
        .join(CriterionScore, CriterionScore.review_id == Review.id)
        .join(ScorecardCriterion, ScorecardCriterion.id == CriterionScore.criterion_id)
        .where(Review.application_id.in_(application_ids), Review.submitted_at.is_not(None))
        .group_by(
            Review.application_id,
            ScorecardCriterion.id,
            ScorecardCriterion.name,
            ScorecardCriterion.guidance,
            ScorecardCriterion.position,
        )
        .order_by(Review.application_id, ScorecardCriterion.position, ScorecardCriterion.id)
    ).all()
    summaries: dict[int, list[CriterionSummary]] = defaultdict(list)
    for application_id, criterion_id, name, guidance, _position, mean, count in rows:
        summaries[application_id].append(
            CriterionSummary(criterion_id, name, guidance or "", round(float(mean), 1), int(count))
        )
    return dict(summaries)


def comments_by_application(application_ids: Sequence[int]) -> dict[int, list[ReviewComment]]:
    """Colleagues' comments per application, oldest first: context for the recruiter, never sent as such."""
    if not application_ids:
        return {}
    comments: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in db.session.scalars(
        db.select(ReviewComment)
        .where(ReviewComment.application_id.in_(application_ids))
        .order_by(ReviewComment.created_at, ReviewComment.id)
    ):
        comments[comment.application_id].append(comment)
    return dict(comments)
