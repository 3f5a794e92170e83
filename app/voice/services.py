# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidate experience surveys (cNPS): settings, survey links, answers, results and the decision listener."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core.audit import record_audit
from app.core.database import changed_rows
from app.core.errors import Conflict, Gone, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.mail import send_mail
from app.core.security import hash_token, new_token
from app.core.urls import public_url
from app.models import (
    Application,
    Candidate,
    InterviewInvitation,
    InvitationState,
    Job,
    Organization,
    Role,
    StageKind,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
    Touchpoint,
    User,
)
from app.pipeline.stages import stage_kind
from app.portal.services import PortalNotice
from app.voice.nps import NpsSummary, summarize_scores

RESULT_ROLES = frozenset({Role.ADMIN, Role.RECRUITER})
COMMENT_MAX_LENGTH = 2000
# The end stages a decision survey follows; a withdrawal is the candidate's own decision.
DECISION_KINDS = frozenset({StageKind.HIRED, StageKind.REJECTED})
PROMOTER_SCORE = 9

TOUCHPOINT_LABELS = {
    Touchpoint.APPLIED: _l("After applying"),
    Touchpoint.INTERVIEW: _l("After the interview"),
    Touchpoint.DECISION: _l("After a decision"),
}


@dataclass(frozen=True)
class SurveyTarget:
    """An application's survey at one touchpoint; ``invitation`` is None until a row was needed."""

    application: Application
    touchpoint: Touchpoint
    invitation: SurveyInvitation | None

    @property
    def answered(self) -> bool:
        return self.invitation is not None and self.invitation.answered

    @property
    def organization(self) -> Organization:
        return self.application.job.organization

    @property
    def language(self) -> str:
        """The candidate's language, else the organization's."""
        return self.application.candidate.language or self.organization.default_language


@dataclass(frozen=True)
class SurveyOffer:
    """What a thank-you page needs to ask the question inline."""

    action_url: str
    organization_name: str


# -- settings -------------------------------------------------------------------------------------


def survey_settings(organization_id: int) -> SurveySettings:
    """The organization's touchpoints (an unsaved all-off row when never set)."""
    settings = db.session.scalar(
        db.select(SurveySettings).where(SurveySettings.organization_id == organization_id)
    )
    return settings or SurveySettings(
        organization_id=organization_id, after_applying=False, after_interview=False, after_decision=False
    )


def touchpoint_enabled(organization_id: int, touchpoint: Touchpoint) -> bool:
    """Whether the organization asks candidates at ``touchpoint``."""
    return survey_settings(organization_id).enabled(touchpoint)


def update_survey_settings(
    actor: User, *, after_applying: bool, after_interview: bool, after_decision: bool
) -> SurveySettings:
    """Choose the touchpoints at which candidates are asked (administrators)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators can change the surveys.")))
    settings = survey_settings(actor.organization_id)
    settings.after_applying = after_applying
    settings.after_interview = after_interview
    settings.after_decision = after_decision
    db.session.add(settings)
    db.session.flush()
    record_audit(
        actor.organization_id,
        actor,
        "survey.settings_updated",
        "organization",
        actor.organization_id,
        after_applying=after_applying,
        after_interview=after_interview,
        after_decision=after_decision,
    )
    return settings


# -- links and offers -----------------------------------------------------------------------------


def _invitation_for(application: Application, touchpoint: Touchpoint) -> SurveyInvitation | None:
    return db.session.scalar(
        db.select(SurveyInvitation).where(
            SurveyInvitation.application_id == application.id, SurveyInvitation.touchpoint == touchpoint
        )
    )


def _ensure_invitation(application: Application, touchpoint: Touchpoint) -> SurveyInvitation:
    """The application's invitation at ``touchpoint``, created if needed (safe against a parallel request)."""
    invitation = _invitation_for(application, touchpoint)
    if invitation is not None:
        return invitation
    try:
        with db.session.begin_nested():
            invitation = SurveyInvitation(
                organization_id=application.organization_id,
                application_id=application.id,
                touchpoint=touchpoint,
            )
            db.session.add(invitation)
    except IntegrityError:
        invitation = _invitation_for(application, touchpoint)
        if invitation is None:
            raise
    return invitation


def issue_survey_link(application: Application, touchpoint: Touchpoint) -> str | None:
    """A new personal survey token for ``application`` at ``touchpoint``; None when off or answered."""
    if not touchpoint_enabled(application.organization_id, touchpoint):
        return None
    invitation = _ensure_invitation(application, touchpoint)
    if invitation.answered:
        return None
    raw, hashed = new_token()
    invitation.token_hash = hashed
    db.session.flush()
    return raw


def offer_after_applying(application: Application) -> str | None:
    """The token the apply thank-you page carries, when the organization asks after applying."""
    return issue_survey_link(application, Touchpoint.APPLIED)


def offer_like_new(job: Job) -> str | None:
    """For a repeated application: a token shaped like ``offer_after_applying``'s, leading nowhere.

    The thank-you address then looks the same whether or not the address had applied before.
    """
    if not touchpoint_enabled(job.organization_id, Touchpoint.APPLIED):
        return None
    return new_token()[0]


def offer_from_token(raw_token: str | None) -> SurveyOffer | None:
    """The inline question of a thank-you page holding a survey token; None when there is nothing to ask."""
    if not raw_token or len(raw_token) > 100:
        return None
    invitation = db.session.scalar(
        db.select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_token(raw_token))
    )
    if invitation is None or invitation.answered:
        return None
    if not touchpoint_enabled(invitation.organization_id, invitation.touchpoint):
        return None
    return SurveyOffer(
        action_url=url_for("voice.survey", token=raw_token),
        organization_name=invitation.application.job.organization.name,
    )


def offer_after_interview(interview: InterviewInvitation, interview_token: str) -> SurveyOffer | None:
    """The inline question of the interview's finished page; None when off or already answered."""
    if interview.state != InvitationState.COMPLETED:
        return None
    application = interview.application
    if not touchpoint_enabled(application.organization_id, Touchpoint.INTERVIEW):
        return None
    invitation = _invitation_for(application, Touchpoint.INTERVIEW)
    if invitation is not None and invitation.answered:
        return None
    return SurveyOffer(
        action_url=url_for("voice.interview_survey", token=interview_token),
        organization_name=application.job.organization.name,
    )


# -- finding the survey behind a credential -------------------------------------------------------


def find_survey_by_token(raw_token: str) -> SurveyTarget:
    """The survey behind an e-mailed or thank-you-page link."""
    invitation = None
    if raw_token and len(raw_token) <= 100:
        invitation = db.session.scalar(
            db.select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_token(raw_token))
        )
    if invitation is None:
        raise NotFound(str(_l("This survey link is not valid. Check that you copied all of it.")))
    return SurveyTarget(invitation.application, invitation.touchpoint, invitation)


def find_interview_survey(interview_token: str) -> SurveyTarget:
    """The after-the-interview survey, reached with the interview's own personal link."""
    interview = db.session.scalar(
        db.select(InterviewInvitation).where(InterviewInvitation.token_hash == hash_token(interview_token))
    )
    if interview is None:
        raise NotFound(str(_l("This survey link is not valid. Check that you copied all of it.")))
    if interview.state != InvitationState.COMPLETED:
        raise Conflict(str(_l("Finish your interview first; then we would love to hear how it went.")))
    application = interview.application
    return SurveyTarget(application, Touchpoint.INTERVIEW, _invitation_for(application, Touchpoint.INTERVIEW))


def find_portal_survey(candidate: Candidate, public_id: str, touchpoint: str) -> SurveyTarget:
    """A survey of one of the signed-in candidate's applications, when it is due."""
    application = db.session.scalar(
        db.select(Application).where(
            Application.public_id == public_id,
            Application.candidate_id == candidate.id,
            Application.organization_id == candidate.organization_id,
        )
    )
    try:
        point = Touchpoint(touchpoint)
    except ValueError:
        point = None
    if application is None or point is None or not survey_is_due(application, point):
        raise NotFound(str(_l("There is no such survey for your applications.")))
    return SurveyTarget(application, point, _invitation_for(application, point))


def survey_is_due(application: Application, touchpoint: Touchpoint) -> bool:
    """Whether the moment the touchpoint asks about has happened for this application."""
    if touchpoint == Touchpoint.APPLIED:
        return True
    if touchpoint == Touchpoint.INTERVIEW:
        completed = db.session.scalar(
            db.select(InterviewInvitation.id)
            .where(
                InterviewInvitation.application_id == application.id,
                InterviewInvitation.state == InvitationState.COMPLETED,
            )
            .limit(1)
        )
        return completed is not None
    return is_decision_stage(application.organization_id, application.stage)


def is_decision_stage(organization_id: int, key: str | None) -> bool:
    """Hired or rejected (built in, or an organization's own stage of that kind); never withdrawn."""
    if not key:
        return False
    return stage_kind(organization_id, key) in DECISION_KINDS


# -- answering ------------------------------------------------------------------------------------


def check_survey_open(target: SurveyTarget) -> None:
    """Gone when the organization stopped asking at this touchpoint."""
    if not touchpoint_enabled(target.application.organization_id, target.touchpoint):
        raise Gone(str(_l("This survey is closed. Thank you for your interest.")))


def record_survey_answer(target: SurveyTarget, *, score: int, comment: str, linked: bool) -> SurveyResponse:
    """Store one answer (linked to the application only if the candidate chose so); a second is a Conflict."""
    check_survey_open(target)
    if not 0 <= score <= 10:
        raise Invalid(str(_l("Choose a score from 0 to 10.")), field="score")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Invalid(str(_l("Keep the comment within 2000 characters.")), field="comment")
    invitation = target.invitation or _ensure_invitation(target.application, target.touchpoint)
    # One conditional update decides between two simultaneous submissions.
    claimed = changed_rows(
        db.update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation.id, SurveyInvitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise Conflict(str(_l("You already answered this survey. Thank you!")))
    db.session.refresh(invitation)
    application = target.application
    response = SurveyResponse(
        organization_id=application.organization_id,
        job_id=application.job_id,
        application_id=application.id if linked else None,
        touchpoint=target.touchpoint,
        score=score,
        comment=comment,
        language=target.language,
        answered_on=_today(),
    )
    db.session.add(response)
    db.session.flush()
    return response


def invites_to_advocate(target: SurveyTarget, score: int) -> bool:
    """Promoters after a decision are invited to follow and share the career site."""
    return target.touchpoint == Touchpoint.DECISION and score >= PROMOTER_SCORE


def _today() -> date:
    return datetime.now(UTC).date()


# -- the decision touchpoint ----------------------------------------------------------------------


def offer_decision_survey(
    application: Application, *, from_key: str | None, to_key: str, actor: User | None
) -> None:
    """On ``stage_changed``: once hired or rejected, e-mail the candidate the decision survey (after commit)."""
    if from_key == to_key or not is_decision_stage(application.organization_id, to_key):
        return
    existing = _invitation_for(application, Touchpoint.DECISION)
    if existing is not None and (existing.answered or existing.token_hash):
        return  # one decision survey per application, even if it is reopened and decided again
    raw = issue_survey_link(application, Touchpoint.DECISION)
    if raw is None:
        return
    candidate = application.candidate
    organization = application.job.organization
    send_mail(
        to=candidate.email,
        subject=_l("How was applying to %(organization)s?", organization=organization.name),
        template="survey_invitation",
        organization=organization,
        locale=candidate.language,
        candidate_name=candidate.name,
        job_title=application.job.title,
        survey_url=public_url("voice.survey", token=raw),
    )


# -- the portal -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSurvey:
    """A survey the candidate may still answer from the portal."""

    application: Application
    touchpoint: Touchpoint


def pending_surveys(candidate: Candidate) -> list[PendingSurvey]:
    """Due, unanswered surveys of the candidate's applications at the touchpoints the organization asks."""
    settings = survey_settings(candidate.organization_id)
    points = [point for point in Touchpoint if settings.enabled(point)]
    if not points:
        return []
    applications = list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.candidate_id == candidate.id,
                Application.organization_id == candidate.organization_id,
            )
            .order_by(Application.submitted_at.desc(), Application.id.desc())
        )
    )
    answered = {
        (row.application_id, row.touchpoint)
        for row in db.session.scalars(
            db.select(SurveyInvitation).where(
                SurveyInvitation.application_id.in_([a.id for a in applications]),
                SurveyInvitation.answered.is_(True),
            )
        )
    }
    return [
        PendingSurvey(application, point)
        for application in applications
        for point in points
        if (application.id, point) not in answered and survey_is_due(application, point)
    ]


def pending_survey_notices(candidate: Candidate, *, section: str) -> list[PortalNotice]:
    """On ``portal_notices_requested``: the surveys the candidate may still answer, among the invitations."""
    if section != "invitations":
        return []
    notices = []
    for item in pending_surveys(candidate):
        application = item.application
        notices.append(
            PortalNotice(
                title=str(_l("How was it? %(job)s", job=application.job.title)),
                body=str(
                    _l(
                        "One question about your experience %(moment)s, and a comment if you like. "
                        "You choose whether it stays anonymous.",
                        moment=str(MOMENT_LABELS[item.touchpoint]),
                    )
                ),
                occurred_at=application.closed_at or application.submitted_at,
                url=url_for(
                    "voice.portal_survey", public_id=application.public_id, touchpoint=item.touchpoint.value
                ),
                action_label=str(_l("Answer the survey")),
            )
        )
    return notices


MOMENT_LABELS = {
    Touchpoint.APPLIED: _l("applying"),
    Touchpoint.INTERVIEW: _l("with the interview"),
    Touchpoint.DECISION: _l("with our decision"),
}


# -- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One row of the results: a touchpoint, a job or a month, and its score."""

    label: str
    summary: NpsSummary


@dataclass(frozen=True)
class Comment:
    """A comment with its score, shown where its touchpoint has enough answers."""

    touchpoint: Touchpoint
    score: int
    text: str
    month: date
    job_title: str
    application_public_id: str | None


@dataclass(frozen=True)
class SurveyResults:
    """cNPS overall, per touchpoint, per job and per month, with comments."""

    overall: NpsSummary
    by_touchpoint: list[tuple[Touchpoint, NpsSummary]]
    by_job: list[Segment]
    by_month: list[tuple[date, NpsSummary]]
    comments: list[Comment]


def survey_results(
    actor: User, touchpoint: Touchpoint | None = None, job_id: int | None = None
) -> SurveyResults:
    """The organization's cNPS, optionally for one touchpoint or one job (administrators, recruiters)."""
    if actor.role not in RESULT_ROLES:
        raise PermissionDenied(str(_l("Only administrators and recruiters see survey results.")))
    query = (
        db.select(SurveyResponse, Job.title, Application.public_id)
        .outerjoin(Job, Job.id == SurveyResponse.job_id)
        .outerjoin(Application, Application.id == SurveyResponse.application_id)
        .where(SurveyResponse.organization_id == actor.organization_id)
        .order_by(SurveyResponse.answered_on.desc(), SurveyResponse.id.desc())
    )
    if touchpoint is not None:
        query = query.where(SurveyResponse.touchpoint == touchpoint)
    if job_id is not None:
        query = query.where(SurveyResponse.job_id == job_id)
    rows = db.session.execute(query).all()
    by_point: dict[Touchpoint, list[int]] = defaultdict(list)
    by_job: dict[str, list[int]] = defaultdict(list)
    by_month: dict[date, list[int]] = defaultdict(list)
    for response, job_title, _public_id in rows:
        by_point[response.touchpoint].append(response.score)
        by_job[job_title or str(_l("A removed job"))].append(response.score)
        by_month[response.answered_on.replace(day=1)].append(response.score)
    point_summaries = {point: summarize_scores(by_point.get(point, [])) for point in Touchpoint}
    comments = [
        Comment(
            touchpoint=response.touchpoint,
            score=response.score,
            text=response.comment,
            month=response.answered_on.replace(day=1),
            job_title=job_title or "",
            application_public_id=public_id,
        )
        for response, job_title, public_id in rows
        if response.comment and point_summaries[response.touchpoint].shown
    ]
    return SurveyResults(
        overall=summarize_scores(score for scores in by_point.values() for score in scores),
        by_touchpoint=[(point, point_summaries[point]) for point in Touchpoint],
        by_job=sorted(
            (Segment(title, summarize_scores(scores)) for title, scores in by_job.items()),
            key=lambda segment: (-segment.summary.answers, segment.label),
        ),
        by_month=[(month, summarize_scores(by_month[month])) for month in sorted(by_month)],
        comments=comments,
    )


def jobs_with_answers(actor: User) -> list[Job]:
    """Jobs that have survey answers, for the results filter."""
    return list(
        db.session.scalars(
            db.select(Job)
            .where(
                Job.organization_id == actor.organization_id,
                Job.id.in_(
                    db.select(SurveyResponse.job_id).where(
                        SurveyResponse.organization_id == actor.organization_id
                    )
                ),
            )
            .order_by(Job.title)
        )
    )
