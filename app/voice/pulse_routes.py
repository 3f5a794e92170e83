# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employees answer pulse surveys by personal link; administrators schedule them and read the results."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth.decorators import actor, admin_required
from app.core.errors import Conflict, Invalid
from app.core.extensions import csrf, db
from app.core.forms import attach_error, require_valid
from app.models import Organization, PulseAudience, PulseParticipation, User
from app.voice import bp, pulses
from app.voice.forms import ButtonForm, PulseAnswerForm, PulseForm

NO_STORE = "private, no-store"


# -- employees answer -----------------------------------------------------------------------------


def render_for_colleague(participation: PulseParticipation, template: str, status: int = 200, **context):
    """A pulse page in the colleague's language, kept out of caches (the address is personal)."""
    organization = db.session.get_one(Organization, participation.pulse.organization_id)
    user = db.session.get_one(User, participation.user_id)
    g.organization = organization
    with force_locale(user.language or organization.default_language):
        question = pulses.pulse_question(participation.pulse, organization)
        page = render_template(
            template, pulse=participation.pulse, organization=organization, question=question, **context
        )
    return page, status, {"Cache-Control": NO_STORE}


@bp.route("/pulse/<token>", methods=["GET", "POST"])
@csrf.exempt  # the unguessable personal link is the credential
def pulse_answer(token: str):
    """One anonymous question; a second answer is a 409 page."""
    participation = pulses.find_participation(token)
    if participation.answered:
        return render_for_colleague(
            participation, "voice/pulse_done.html", 409 if request.method == "POST" else 200
        )
    pulses.check_pulse_open(participation)
    action_url = url_for(".pulse_answer", token=token)
    if request.method == "GET":
        return render_for_colleague(
            participation,
            "voice/pulse_answer.html",
            form=PulseAnswerForm(formdata=None),
            action_url=action_url,
        )
    form = PulseAnswerForm()
    if not form.validate():
        return render_for_colleague(
            participation, "voice/pulse_answer.html", 400, form=form, action_url=action_url
        )
    try:
        pulses.record_pulse_answer(participation, score=int(form.score.data), comment=form.comment.data or "")
    except Conflict:
        db.session.rollback()
        return render_for_colleague(participation, "voice/pulse_done.html", 409)
    except Invalid as error:
        db.session.rollback()
        attach_error(form, error)
        return render_for_colleague(
            participation, "voice/pulse_answer.html", 400, form=form, action_url=action_url
        )
    db.session.commit()
    return render_for_colleague(participation, "voice/pulse_thanks.html")


# -- administrators -------------------------------------------------------------------------------


def render_pulses(form: PulseForm, status: int = 200):
    """The list of pulses with their trend, and the form to schedule one."""
    return render_template(
        "voice/pulses.html",
        form=form,
        overviews=pulses.list_pulses(actor()),
        trend=pulses.pulse_trend(actor()),
        default_question=pulses.default_question(actor().organization),
        status_labels=pulses.STATUS_LABELS,
        audience_labels=pulses.AUDIENCE_LABELS,
    ), status


@bp.route("/app/voice/pulses", methods=["GET", "POST"])
@admin_required
def pulse_list():
    """Employees' voice: every pulse, the trend, and a new pulse."""
    form = PulseForm()
    if request.method == "GET":
        today = pulses.today_utc()
        form = PulseForm(formdata=None, opens_on=today, closes_on=today + timedelta(days=14))
        return render_pulses(form)
    if not form.validate_on_submit():
        return render_pulses(form, 400)
    try:
        pulse = pulses.create_pulse(
            actor(),
            question=form.question.data or "",
            audience=PulseAudience(form.audience.data),
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            reminder_on=form.reminder_on.data,
        )
    except Invalid as error:
        db.session.rollback()
        attach_error(form, error)
        return render_pulses(form, 400)
    db.session.commit()
    if pulse.opened_at is not None:
        flash(_("The pulse is open and everyone asked has their personal link by e-mail."), "success")
    else:
        flash(_("The pulse is scheduled; invitations go out on its opening day."), "success")
    return redirect(url_for(".pulse_results", pulse_id=pulse.id))


@bp.get("/app/voice/pulses/<int:pulse_id>")
@admin_required
def pulse_results(pulse_id: int):
    """A pulse's results, shown only once at least five people answered."""
    return render_template(
        "voice/pulse_results.html",
        results=pulses.pulse_results(actor(), pulse_id),
        question=pulses.pulse_question(pulses.get_pulse(actor(), pulse_id), actor().organization),
        status_labels=pulses.STATUS_LABELS,
        audience_labels=pulses.AUDIENCE_LABELS,
        form=ButtonForm(),
    )


@bp.post("/app/voice/pulses/<int:pulse_id>/remind")
@admin_required
def remind_pulse(pulse_id: int):
    """Send the pulse's one reminder now, to those who have not answered."""
    require_valid(ButtonForm())
    count = pulses.remind_pulse(actor(), pulse_id)
    db.session.commit()
    flash(_("The reminder went to %(count)d colleagues.", count=count), "success")
    return redirect(url_for(".pulse_results", pulse_id=pulse_id))
