# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reviewing an interview: ratings per answer, scorecard scores, a recommendation, and the aggregates.

A reviewer sees the others' scores only once their own review is submitted, and in blind mode
the candidate's identity stays hidden until then too; both rules are applied here, so nothing
the reviewer may not see yet ever reaches a template.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from app.core.audit import record_audit
from app.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.media.services import AnswerMedia, PromptMedia, answer_media_urls, prompt_media_urls
from app.models import Application, Job, Role, User, utcnow
from app.models.interview import InterviewAnswer, InterviewInvitation, InterviewQuestion, InvitationState
from app.models.review import (
    AnswerRating,
    CriterionScore,
    Recommendation,
    Review,
    ScorecardCriterion,
    ShortlistShare,
)
from app.reviews.access import record_share_event
from app.reviews.scorecards import list_criteria

# The candidate began answering (an expired interview may still hold answers); cancelled ones are void.
STARTED_INTERVIEW = or_(
    InterviewInvitation.started_at.is_not(None), InterviewInvitation.state == InvitationState.COMPLETED
) & (InterviewInvitation.state != InvitationState.CANCELLED)
# Ratings this far apart (on the 1-5 scale) mean the reviewers see the answer differently.
DISAGREEMENT_GAP = 2
MAX_NOTE_CHARS = 2000
SETTING_ROLES = (Role.ADMIN, Role.RECRUITER)
RECOMMENDATION_LABELS = {
    Recommendation.STRONG_NO: _l("Strong no"),
    Recommendation.NO: _l("No"),
    Recommendation.YES: _l("Yes"),
    Recommendation.STRONG_YES: _l("Strong yes"),
}


@dataclass(frozen=True)
class Reviewer:
    """Who reviews: a colleague (``user``), or an outside reviewer through a link (``share`` and ``key``).

    A manager reviewing through a shortlist shared with them carries both their user and that share.
    """

    name: str
    user: User | None = None
    share: ShortlistShare | None = None
    key: str | None = None

    @property
    def is_outside(self) -> bool:
        return self.user is None


@dataclass(frozen=True)
class Spread:
    """How a set of 1-5 ratings is spread: mean, range, standard deviation, and whether it splits."""

    count: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    stdev: float | None

    @property
    def disagree(self) -> bool:
        if self.count < 2 or self.minimum is None or self.maximum is None:
            return False
        return self.maximum - self.minimum >= DISAGREEMENT_GAP


@dataclass(frozen=True)
class OtherScore:
    """One submitted reviewer's rating or score (with their note, for answers)."""

    reviewer_name: str
    value: int
    note: str = ""
    mine: bool = False


@dataclass(frozen=True)
class ReviewItem:
    """One real question as asked, the candidate's answer, and the ratings it got."""

    question: InterviewQuestion
    prompt: PromptMedia
    answer: InterviewAnswer | None
    media: AnswerMedia | None
    my_rating: AnswerRating | None
    scores: list[OtherScore] = field(default_factory=list)
    spread: Spread | None = None

    @property
    def is_answered(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class CriterionItem:
    """One scorecard criterion with the reviewer's score and, once submitted, everyone's."""

    criterion: ScorecardCriterion
    my_score: int | None
    scores: list[OtherScore] = field(default_factory=list)
    spread: Spread | None = None


@dataclass(frozen=True)
class RecommendationSummary:
    """How many reviewers recommended what, and whether they fall on both sides of yes/no."""

    counts: dict[Recommendation, int]
    verdicts: list[tuple[str, Recommendation, bool]]

    @property
    def split(self) -> bool:
        positive = any(recommendation.is_positive for _, recommendation, _ in self.verdicts)
        negative = any(not recommendation.is_positive for _, recommendation, _ in self.verdicts)
        return positive and negative


@dataclass(frozen=True)
class Aggregates:
    """What the submitted reviews say together (only built for a reviewer who submitted)."""

    review_count: int
    overall: Spread
    recommendations: RecommendationSummary

    @property
    def disagree(self) -> bool:
        return self.overall.disagree or self.recommendations.split


@dataclass(frozen=True)
class ReviewSheet:
    """Everything the review page shows one reviewer of one interview."""

    application: Application
    invitation: InterviewInvitation
    reviewer: Reviewer
    review: Review | None
    items: list[ReviewItem]
    criteria: list[CriterionItem]
    identity_hidden: bool
    pseudonym: str
    submitted_count: int
    aggregates: Aggregates | None

    @property
    def submitted(self) -> bool:
        return self.review is not None and self.review.submitted_at is not None

    @property
    def display_name(self) -> str:
        return self.pseudonym if self.identity_hidden else self.application.candidate.name

    @property
    def disagreements(self) -> bool:
        """Whether reviewers disagree anywhere: an answer, a criterion, or the verdict."""
        if self.aggregates is None:
            return False
        return (
            self.aggregates.disagree
            or any(item.spread is not None and item.spread.disagree for item in self.items)
            or any(item.spread is not None and item.spread.disagree for item in self.criteria)
        )


@dataclass(frozen=True)
class ReviewInput:
    """A reviewer's submission: answer id → rating (1-5) and note, criterion id → score, the verdict."""

    ratings: Mapping[int, int]
    notes: Mapping[int, str]
    scores: Mapping[int, int]
    recommendation: Recommendation | None


# -- reading ---------------------------------------------------------------------------------------


def spread_of(values: Sequence[int | float]) -> Spread:
    """Mean, range and (population) standard deviation of some ratings."""
    if not values:
        return Spread(0, None, None, None, None)
    return Spread(
        count=len(values),
        mean=statistics.fmean(values),
        minimum=min(values),
        maximum=max(values),
        stdev=statistics.pstdev(values) if len(values) > 1 else 0.0,
    )


def pseudonym(application: Application) -> str:
    """A stable stand-in name ("Candidate K-37") for blind reviews; it says nothing about the person."""
    digest = hashlib.sha256(f"blind:{application.public_id}".encode()).digest()
    code = f"{chr(ord('A') + digest[0] % 26)}-{int.from_bytes(digest[1:3], 'big') % 90 + 10}"
    return str(_l("Candidate %(code)s", code=code))


def reviewable_invitation(application: Application) -> InterviewInvitation | None:
    """The application's latest interview that the candidate started (not cancelled), if any."""
    return db.session.scalar(
        db.select(InterviewInvitation)
        .where(
            InterviewInvitation.application_id == application.id,
            InterviewInvitation.organization_id == application.organization_id,
            STARTED_INTERVIEW,
        )
        .order_by(InterviewInvitation.sent_at.desc(), InterviewInvitation.id.desc())
        .limit(1)
    )


def require_reviewable_invitation(application: Application) -> InterviewInvitation:
    """The interview to review; NotFound when the candidate has not started one."""
    invitation = reviewable_invitation(application)
    if invitation is None:
        raise NotFound(str(_l("This candidate has not answered an interview yet.")))
    return invitation


def find_own_review(invitation: InterviewInvitation, reviewer: Reviewer) -> Review | None:
    """The reviewer's review of this interview, submitted or not."""
    query = db.select(Review).where(Review.invitation_id == invitation.id)
    if reviewer.user is not None:
        query = query.where(Review.reviewer_id == reviewer.user.id)
    elif reviewer.share is not None:
        query = query.where(
            Review.reviewer_id.is_(None),
            Review.share_id == reviewer.share.id,
            Review.reviewer_key == reviewer.key,
        )
    else:
        return None  # neither a colleague nor a link: nobody whose review could exist
    return db.session.scalar(query)


def submitted_reviews(invitation: InterviewInvitation) -> list[Review]:
    """The interview's submitted reviews, oldest first."""
    return list(
        db.session.scalars(
            db.select(Review)
            .where(Review.invitation_id == invitation.id, Review.submitted_at.is_not(None))
            .order_by(Review.submitted_at, Review.id)
        )
    )


def answered(invitation: InterviewInvitation) -> dict[int, InterviewAnswer]:
    """The invitation's submitted answers with something in them, by question id."""
    return {
        answer.question_id: answer
        for answer in invitation.answers
        if answer.submitted_at is not None and (answer.text is not None or answer.video_key)
    }


def real_questions(invitation: InterviewInvitation) -> list[InterviewQuestion]:
    """The interview's questions in order, without the practice ones nobody reviews."""
    return [question for question in invitation.template.questions if not question.is_practice]


def build_sheet(application: Application, reviewer: Reviewer) -> ReviewSheet:
    """The review page of the application's interview for ``reviewer``."""
    invitation = require_reviewable_invitation(application)
    review = find_own_review(invitation, reviewer)
    submitted = review is not None and review.submitted_at is not None
    others = submitted_reviews(invitation)
    identity_hidden = bool(application.job.blind_review) and not submitted
    answers = answered(invitation)
    my_ratings = {rating.answer_id: rating for rating in (review.answer_ratings if review else [])}
    my_scores = {score.criterion_id: score.score for score in (review.criterion_scores if review else [])}
    items = []
    for question in real_questions(invitation):
        answer = answers.get(question.id)
        media = answer_media_urls(answer) if answer is not None and answer.video_key else None
        if media is not None and identity_hidden:
            # The poster is a still of the candidate's face: no first impression before the answers.
            media = AnswerMedia(media.video_url, media.mp4_url, None, media.captions_url)
        scores = _answer_scores(others, answer, review) if submitted and answer is not None else []
        items.append(
            ReviewItem(
                question=question,
                prompt=prompt_media_urls(question),
                answer=answer,
                media=media,
                my_rating=my_ratings.get(answer.id) if answer is not None else None,
                scores=scores,
                spread=spread_of([score.value for score in scores]) if submitted and answer else None,
            )
        )
    criteria = []
    for criterion in list_criteria(invitation.template_id):
        scores = _criterion_scores(others, criterion, review) if submitted else []
        criteria.append(
            CriterionItem(
                criterion=criterion,
                my_score=my_scores.get(criterion.id),
                scores=scores,
                spread=spread_of([score.value for score in scores]) if submitted else None,
            )
        )
    return ReviewSheet(
        application=application,
        invitation=invitation,
        reviewer=reviewer,
        review=review,
        items=items,
        criteria=criteria,
        identity_hidden=identity_hidden,
        pseudonym=pseudonym(application),
        submitted_count=len(others),
        aggregates=_aggregates(others, review) if submitted else None,
    )


def _answer_scores(
    reviews: Iterable[Review], answer: InterviewAnswer, mine: Review | None
) -> list[OtherScore]:
    return [
        OtherScore(review.reviewer_name, rating.rating, rating.note, mine=review is mine)
        for review in reviews
        for rating in review.answer_ratings
        if rating.answer_id == answer.id
    ]


def _criterion_scores(
    reviews: Iterable[Review], criterion: ScorecardCriterion, mine: Review | None
) -> list[OtherScore]:
    return [
        OtherScore(review.reviewer_name, score.score, mine=review is mine)
        for review in reviews
        for score in review.criterion_scores
        if score.criterion_id == criterion.id
    ]


def _aggregates(reviews: list[Review], mine: Review | None) -> Aggregates:
    verdicts = [
        (review.reviewer_name, review.recommendation, review is mine)
        for review in reviews
        if review.recommendation is not None
    ]
    counts = {recommendation: 0 for recommendation in Recommendation}
    for _name, recommendation, _mine in verdicts:
        counts[recommendation] += 1
    overall = spread_of([review.overall_rating for review in reviews if review.overall_rating is not None])
    return Aggregates(
        review_count=len(reviews),
        overall=overall,
        recommendations=RecommendationSummary(counts=counts, verdicts=verdicts),
    )


def ratings_for(application_ids: Sequence[int]) -> dict[int, Spread]:
    """Each application's rating: the spread of its submitted reviews' overall ratings (one query)."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        db.select(Review.application_id, Review.overall_rating).where(
            Review.application_id.in_(application_ids),
            Review.submitted_at.is_not(None),
            Review.overall_rating.is_not(None),
        )
    )
    values: dict[int, list[float]] = {}
    for application_id, rating in rows:
        values.setdefault(application_id, []).append(rating)
    return {application_id: spread_of(found) for application_id, found in values.items()}


def reviewed_by(reviewer: Reviewer, application_ids: Sequence[int]) -> set[int]:
    """Which of these applications the reviewer has submitted a review for."""
    if not application_ids:
        return set()
    query = db.select(Review.application_id).where(
        Review.application_id.in_(application_ids), Review.submitted_at.is_not(None)
    )
    if reviewer.user is not None:
        query = query.where(Review.reviewer_id == reviewer.user.id)
    elif reviewer.share is not None:
        query = query.where(Review.share_id == reviewer.share.id, Review.reviewer_key == reviewer.key)
    else:
        return set()  # neither a colleague nor a link: nobody who could have reviewed
    return set(db.session.scalars(query))


def identity_hidden_for(user: User, application: Application) -> bool:
    """Whether blind mode still hides who the candidate is from this colleague (no review submitted yet)."""
    if not application.job.blind_review:
        return False
    return not reviewed_by(Reviewer(name=user.name, user=user), [application.id])


# -- submitting ------------------------------------------------------------------------------------


def _check_input(sheet: ReviewSheet, data: ReviewInput) -> None:
    answer_ids = {item.answer.id for item in sheet.items if item.answer is not None}
    for answer_id in answer_ids:
        if data.ratings.get(answer_id) not in range(1, 6):
            raise Invalid(str(_l("Rate every answer from 1 to 5.")), field=f"rating_{answer_id}")
        if len(data.notes.get(answer_id, "")) > MAX_NOTE_CHARS:
            raise Invalid(
                str(_l("Keep notes under %(count)d characters.", count=MAX_NOTE_CHARS)),
                field=f"note_{answer_id}",
            )
    if set(data.ratings) - answer_ids:
        raise Invalid(str(_l("Only this interview's answers can be rated.")))
    criterion_ids = {item.criterion.id for item in sheet.criteria}
    for criterion_id in criterion_ids:
        if data.scores.get(criterion_id) not in range(1, 6):
            raise Invalid(str(_l("Score every criterion from 1 to 5.")), field=f"score_{criterion_id}")
    if set(data.scores) - criterion_ids:
        raise Invalid(str(_l("Only this scorecard's criteria can be scored.")))
    if data.recommendation is None:
        raise Invalid(str(_l("Choose your overall recommendation.")), field="recommendation")


def submit_review(application: Application, reviewer: Reviewer, data: ReviewInput) -> Review:
    """Record and submit the reviewer's ratings, scores and recommendation; a review is submitted once."""
    sheet = build_sheet(application, reviewer)
    if sheet.submitted:
        raise Conflict(str(_l("You have already submitted your review of this interview.")))
    _check_input(sheet, data)
    review = sheet.review or Review(
        organization_id=application.organization_id,
        application_id=application.id,
        invitation_id=sheet.invitation.id,
        reviewer_id=reviewer.user.id if reviewer.user else None,
        share_id=reviewer.share.id if reviewer.share else None,
        reviewer_key=reviewer.key if reviewer.is_outside else None,
    )
    review.reviewer_name = reviewer.name[:120]
    review.answer_ratings = [
        AnswerRating(answer_id=answer_id, rating=rating, note=data.notes.get(answer_id, "").strip())
        for answer_id, rating in sorted(data.ratings.items())
    ]
    review.criterion_scores = [
        CriterionScore(criterion_id=criterion_id, score=score)
        for criterion_id, score in sorted(data.scores.items())
    ]
    review.recommendation = data.recommendation
    review.overall_rating = statistics.fmean(data.ratings.values()) if data.ratings else None
    review.submitted_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        # The same reviewer submitted from another tab a moment earlier.
        raise Conflict(str(_l("You have already submitted your review of this interview."))) from None
    _record_submission(application, reviewer, review)
    return review


def _record_submission(application: Application, reviewer: Reviewer, review: Review) -> None:
    recommendation = review.recommendation.value if review.recommendation is not None else None
    details = {"review_id": review.id, "recommendation": recommendation}
    if reviewer.share is not None:
        record_share_event(
            reviewer.share,
            "shortlist.share_review_submitted",
            "application",
            application.id,
            actor=reviewer.user,
            **details,
        )
    else:
        record_audit(
            application.organization_id,
            reviewer.user,
            "review.submitted",
            "application",
            application.id,
            **details,
        )


# -- settings --------------------------------------------------------------------------------------


def find_job_settings(actor: User, job_id: int) -> Job:
    """A job of the actor's organization whose review settings the actor may change."""
    if actor.role not in SETTING_ROLES:
        raise PermissionDenied(str(_l("Review settings are changed by recruiters and admins.")))
    job = db.session.scalar(
        db.select(Job).where(Job.id == job_id, Job.organization_id == actor.organization_id)
    )
    if job is None:
        raise NotFound(str(_l("We could not find this job.")))
    return job


def set_blind_review(actor: User, job_id: int, enabled: bool) -> Job:
    """Turn blind reviews on or off for a job's interviews."""
    job = find_job_settings(actor, job_id)
    if job.blind_review != enabled:
        job.blind_review = enabled
        db.session.flush()
        record_audit(actor.organization_id, actor, "job.blind_review_changed", "job", job.id, enabled=enabled)
    return job
