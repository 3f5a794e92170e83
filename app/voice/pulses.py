# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employees' voice (eNPS): pulse surveys with personal links, anonymous answers and guarded results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.audit import record_audit
from app.core.database import changed_rows
from app.core.errors import Conflict, Gone, Invalid, NotFound, PermissionDenied
from app.core.extensions import db
from app.core.mail import send_mail
from app.core.security import hash_token, new_token
from app.core.urls import public_url
from app.models import (
    Organization,
    Pulse,
    PulseAudience,
    PulseParticipation,
    PulseResponse,
    Role,
    User,
    utcnow,
)
from app.voice.nps import NpsSummary, score_distribution, summarize_scores

QUESTION_MAX_LENGTH = 300
COMMENT_MAX_LENGTH = 2000

AUDIENCE_LABELS = {
    PulseAudience.EMPLOYEES: _l("Employees"),
    PulseAudience.ALL_STAFF: _l("Everyone on the staff"),
}
STATUS_LABELS = {
    "scheduled": _l("Scheduled"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}


@dataclass(frozen=True)
class PulseOverview:
    """A pulse in the list: its state, how many were asked and answered, its score when shown."""

    pulse: Pulse
    status: str
    invited: int
    summary: NpsSummary


@dataclass(frozen=True)
class PulseResults:
    """What the results page may show: nothing but the count until enough people answered."""

    pulse: Pulse
    status: str
    invited: int
    summary: NpsSummary
    distribution: list[int]
    comments: list[str]


def today_utc() -> date:
    """Today's date in UTC, the calendar pulses open and close by."""
    return datetime.now(UTC).date()


def default_question(organization: Organization) -> str:
    """The eNPS question, in the current language."""
    return _(
        "How likely are you to recommend %(organization)s as a place to work?", organization=organization.name
    )


def pulse_question(pulse: Pulse, organization: Organization) -> str:
    """The pulse's own question, else the default one."""
    return pulse.question or default_question(organization)


def pulse_status(pulse: Pulse, today: date | None = None) -> str:
    """``scheduled`` until it was opened, ``open`` through its closing day, then ``closed``."""
    today = today or today_utc()
    if today > pulse.closes_on:
        return "closed"
    return "open" if pulse.opened_at is not None else "scheduled"


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied(str(_l("Only administrators manage pulse surveys.")))


# -- managing pulses ------------------------------------------------------------------------------


def create_pulse(
    actor: User,
    *,
    question: str,
    audience: PulseAudience,
    opens_on: date,
    closes_on: date,
    reminder_on: date | None = None,
) -> Pulse:
    """Schedule a pulse; one that opens today or earlier opens (and mails everyone) at once."""
    _require_admin(actor)
    question = " ".join(question.split())
    today = today_utc()
    if len(question) > QUESTION_MAX_LENGTH:
        raise Invalid(str(_l("Keep the question within 300 characters.")), field="question")
    if closes_on < opens_on:
        raise Invalid(str(_l("The closing day must be on or after the opening day.")), field="closes_on")
    if closes_on < today:
        raise Invalid(str(_l("The closing day has already passed.")), field="closes_on")
    if reminder_on is not None and not opens_on < reminder_on <= closes_on:
        raise Invalid(
            str(_l("Send the reminder after the opening day and no later than the closing day.")),
            field="reminder_on",
        )
    pulse = Pulse(
        organization_id=actor.organization_id,
        question=question,
        audience=PulseAudience(audience),
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_on=reminder_on,
        created_by_id=actor.id,
    )
    db.session.add(pulse)
    db.session.flush()
    record_audit(actor.organization_id, actor, "pulse.created", "pulse", pulse.id)
    if opens_on <= today:
        open_pulse(pulse)
    return pulse


def get_pulse(actor: User, pulse_id: int) -> Pulse:
    """One pulse of the actor's organization (administrators)."""
    _require_admin(actor)
    pulse = db.session.scalar(
        db.select(Pulse).where(Pulse.id == pulse_id, Pulse.organization_id == actor.organization_id)
    )
    if pulse is None:
        raise NotFound(str(_l("No such pulse survey in your organization.")))
    return pulse


def list_pulses(actor: User) -> list[PulseOverview]:
    """The organization's pulses, newest first, each with its score when enough people answered."""
    _require_admin(actor)
    pulses = db.session.scalars(
        db.select(Pulse)
        .where(Pulse.organization_id == actor.organization_id)
        .order_by(Pulse.opens_on.desc(), Pulse.id.desc())
    ).all()
    today = today_utc()
    return [
        PulseOverview(
            pulse, pulse_status(pulse, today), _invited_count(pulse), summarize_scores(_scores(pulse))
        )
        for pulse in pulses
    ]


def pulse_trend(actor: User) -> list[PulseOverview]:
    """Pulses in the order they opened, for the trend over time."""
    return sorted(list_pulses(actor), key=lambda item: (item.pulse.opens_on, item.pulse.id))


def _invited_count(pulse: Pulse) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(PulseParticipation)
        .where(PulseParticipation.pulse_id == pulse.id)
    )


def _scores(pulse: Pulse) -> list[int]:
    return list(db.session.scalars(db.select(PulseResponse.score).where(PulseResponse.pulse_id == pulse.id)))


def pulse_results(actor: User, pulse_id: int) -> PulseResults:
    """The score, distribution and comments, only once at least five people answered."""
    pulse = get_pulse(actor, pulse_id)
    scores = _scores(pulse)
    summary = summarize_scores(scores)
    comments: list[str] = []
    distribution: list[int] = []
    if summary.shown:
        distribution = score_distribution(scores)
        # Sorted rather than in answer order, so the order says nothing about who wrote what.
        comments = sorted(
            db.session.scalars(
                db.select(PulseResponse.comment).where(
                    PulseResponse.pulse_id == pulse.id, PulseResponse.comment != ""
                )
            ),
            key=str.casefold,
        )
    return PulseResults(pulse, pulse_status(pulse), _invited_count(pulse), summary, distribution, comments)


# -- inviting and reminding -----------------------------------------------------------------------


def pulse_audience(pulse: Pulse) -> list[User]:
    """The active colleagues the pulse asks."""
    query = db.select(User).where(User.organization_id == pulse.organization_id, User.active.is_(True))
    if pulse.audience == PulseAudience.EMPLOYEES:
        query = query.where(User.role == Role.EMPLOYEE)
    return list(db.session.scalars(query.order_by(User.id)))


def open_pulse(pulse: Pulse) -> int:
    """Give each colleague in the audience a personal link by e-mail; returns how many were asked."""
    if pulse.opened_at is not None:
        return 0
    pulse.opened_at = utcnow()
    organization = db.session.get_one(Organization, pulse.organization_id)
    invited = 0
    for user in pulse_audience(pulse):
        raw, hashed = new_token()
        db.session.add(PulseParticipation(pulse_id=pulse.id, user_id=user.id, token_hash=hashed))
        _mail_pulse_link(pulse, organization, user, raw, reminder=False)
        invited += 1
    db.session.flush()
    return invited


def send_pulse_reminder(pulse: Pulse) -> int:
    """Once per pulse: a new personal link to everyone who has not answered yet; returns how many."""
    if pulse.reminder_sent_at is not None:
        raise Conflict(str(_l("The reminder for this pulse was already sent.")))
    if pulse_status(pulse) != "open":
        raise Conflict(str(_l("Only an open pulse can send a reminder.")))
    pulse.reminder_sent_at = utcnow()
    organization = db.session.get_one(Organization, pulse.organization_id)
    waiting = db.session.scalars(
        db.select(PulseParticipation)
        .join(User, User.id == PulseParticipation.user_id)
        .where(
            PulseParticipation.pulse_id == pulse.id,
            PulseParticipation.answered.is_(False),
            User.active.is_(True),
        )
    ).all()
    for participation in waiting:
        # Only the hash of the first link was kept, so the reminder carries a fresh one.
        raw, participation.token_hash = new_token()
        user = db.session.get_one(User, participation.user_id)
        _mail_pulse_link(pulse, organization, user, raw, reminder=True)
    db.session.flush()
    return len(waiting)


def remind_pulse(actor: User, pulse_id: int) -> int:
    """An administrator sends the pulse's one reminder now."""
    pulse = get_pulse(actor, pulse_id)
    count = send_pulse_reminder(pulse)
    record_audit(actor.organization_id, actor, "pulse.reminded", "pulse", pulse.id, count=count)
    return count


def _mail_pulse_link(
    pulse: Pulse, organization: Organization, user: User, raw: str, *, reminder: bool
) -> None:
    language = user.language or organization.default_language
    with force_locale(language):
        question = pulse_question(pulse, organization)
    send_mail(
        to=user.email,
        subject=(
            _l("Reminder: one question from %(organization)s", organization=organization.name)
            if reminder
            else _l("One anonymous question from %(organization)s", organization=organization.name)
        ),
        template="pulse_reminder" if reminder else "pulse_invitation",
        organization=organization,
        locale=language,
        name=user.name,
        question=question,
        closes_on=pulse.closes_on,
        pulse_url=public_url("voice.pulse_answer", token=raw),
    )


def open_due_pulses(today: date | None = None) -> int:
    """Open every scheduled pulse whose opening day has come (the periodic job); returns how many."""
    today = today or today_utc()
    due = db.session.scalars(
        db.select(Pulse).where(Pulse.opened_at.is_(None), Pulse.opens_on <= today, Pulse.closes_on >= today)
    ).all()
    for pulse in due:
        open_pulse(pulse)
    return len(due)


def send_due_reminders(today: date | None = None) -> int:
    """Send the reminder of every open pulse whose reminder day has come (the periodic job)."""
    today = today or today_utc()
    due = db.session.scalars(
        db.select(Pulse).where(
            Pulse.opened_at.is_not(None),
            Pulse.reminder_sent_at.is_(None),
            Pulse.reminder_on.is_not(None),
            Pulse.reminder_on <= today,
            Pulse.closes_on >= today,
        )
    ).all()
    for pulse in due:
        send_pulse_reminder(pulse)
    return len(due)


# -- answering ------------------------------------------------------------------------------------


def find_participation(raw_token: str) -> PulseParticipation:
    """The colleague's invitation behind a personal pulse link."""
    participation = None
    if raw_token and len(raw_token) <= 100:
        participation = db.session.scalar(
            db.select(PulseParticipation).where(PulseParticipation.token_hash == hash_token(raw_token))
        )
    if participation is None:
        raise NotFound(str(_l("This survey link is not valid. If you received a reminder, use its link.")))
    return participation


def check_pulse_open(participation: PulseParticipation) -> None:
    """Gone when the pulse closed or the colleague left."""
    user = db.session.get(User, participation.user_id)
    if pulse_status(participation.pulse) == "closed" or user is None or not user.active:
        raise Gone(str(_l("This pulse survey is closed. Thank you!")))


def record_pulse_answer(participation: PulseParticipation, *, score: int, comment: str) -> PulseResponse:
    """Store an anonymous answer (no user, the day only) and mark the colleague as having answered."""
    check_pulse_open(participation)
    if not 0 <= score <= 10:
        raise Invalid(str(_l("Choose a score from 0 to 10.")), field="score")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Invalid(str(_l("Keep the comment within 2000 characters.")), field="comment")
    claimed = changed_rows(
        db.update(PulseParticipation)
        .where(PulseParticipation.id == participation.id, PulseParticipation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise Conflict(str(_l("You already answered this pulse survey. Thank you!")))
    db.session.refresh(participation)
    response = PulseResponse(
        pulse_id=participation.pulse_id, score=score, comment=comment, answered_on=today_utc()
    )
    db.session.add(response)
    db.session.flush()
    return response
