# SPDX-License-Identifier: AGPL-3.0-or-later
"""Candidates' survey pages (by personal link, interview link or portal session), results and settings."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from app.auth.decorators import actor, admin_required, roles_required
from app.careers.services import share_links
from app.core.errors import Conflict, Invalid
from app.core.extensions import csrf, db
from app.core.forms import attach_error
from app.core.urls import public_url
from app.models import Role, Touchpoint
from app.portal.services import SESSION_KEY as PORTAL_SESSION_KEY
from app.portal.services import load_portal_session
from app.voice import bp, services
from app.voice.forms import ResultsFilterForm, SurveyForm, SurveySettingsForm
from app.voice.nps import MIN_ANSWERS

NO_STORE = "private, no-store"
ADVOCACY_CHANNELS = ("linkedin", "x", "email")
TOUCHPOINT_VALUES = frozenset(point.value for point in Touchpoint)
results_required = roles_required(Role.ADMIN, Role.RECRUITER)


@bp.context_processor
def voice_context() -> dict[str, object]:
    """Labels the voice templates present."""
    return {
        "touchpoint_labels": services.TOUCHPOINT_LABELS,
        "min_answers": MIN_ANSWERS,
        "format_month": lambda value: format_date(value, "MMMM yyyy"),
    }


# -- candidates answer ----------------------------------------------------------------------------


def render_for_candidate(target: services.SurveyTarget, template: str, status: int = 200, **context: Any):
    """A survey page in the candidate's language, kept out of caches (the address is personal)."""
    g.organization = target.organization
    with force_locale(target.language):
        response = render_template(template, target=target, organization=target.organization, **context)
    return response, status, {"Cache-Control": NO_STORE}


def answer_survey(target: services.SurveyTarget, action_url: str, with_csrf: bool = False):
    """Show the question, or store the answer and thank the candidate; a second answer is a 409 page."""
    page: dict[str, Any] = {"action_url": action_url, "with_csrf": with_csrf}
    if request.method == "GET":
        if target.answered:
            return render_for_candidate(target, "voice/survey_done.html")
        services.check_survey_open(target)
        return render_for_candidate(target, "voice/survey.html", form=SurveyForm(formdata=None), **page)
    form = SurveyForm()
    if target.answered:
        return render_for_candidate(target, "voice/survey_done.html", 409)
    if not form.validate():
        return render_for_candidate(target, "voice/survey.html", 400, form=form, **page)
    try:
        services.record_survey_answer(
            target,
            score=int(form.score.data),
            comment=form.comment.data or "",
            linked=form.sharing.data == "linked",
        )
    except Conflict:
        db.session.rollback()
        return render_for_candidate(target, "voice/survey_done.html", 409)
    except Invalid as error:
        db.session.rollback()
        attach_error(form, error)
        return render_for_candidate(target, "voice/survey.html", 400, form=form, **page)
    db.session.commit()
    return render_for_candidate(
        target, "voice/survey_thanks.html", **advocacy_context(target, int(form.score.data))
    )


def advocacy_context(target: services.SurveyTarget, score: int) -> dict[str, Any]:
    """Links to follow and share the career site, for promoters after a decision."""
    if not services.invites_to_advocate(target, score):
        return {"advocate": False}
    organization = target.organization
    site_url = public_url("careers.site", org_slug=organization.slug)
    with force_locale(target.language):
        links, _copy = share_links(site_url, _("Jobs at %(organization)s", organization=organization.name))
    return {
        "advocate": True,
        "career_site_url": site_url,
        "share_links": [link for link in links if link.channel in ADVOCACY_CHANNELS],
    }


@bp.route("/survey/<token>", methods=["GET", "POST"])
@csrf.exempt  # the unguessable link is the credential; thank-you pages set no cookies
def survey(token: str):
    """A survey reached by an e-mailed link or from the apply thank-you page."""
    target = services.find_survey_by_token(token)
    return answer_survey(target, url_for(".survey", token=token))


@bp.route("/survey/interview/<token>", methods=["GET", "POST"])
@csrf.exempt  # the interview's personal link is the credential
def interview_survey(token: str):
    """The after-the-interview survey, reached from the interview's finished page."""
    target = services.find_interview_survey(token)
    return answer_survey(target, url_for(".interview_survey", token=token))


@bp.route("/survey/portal/<public_id>/<touchpoint>", methods=["GET", "POST"])
def portal_survey(public_id: str, touchpoint: str):
    """A survey opened from the candidate portal (its session cookie is the credential)."""
    portal_session = load_portal_session(session.get(PORTAL_SESSION_KEY))
    if portal_session is None:
        return redirect(url_for("portal.request_link"))
    target = services.find_portal_survey(portal_session.candidate, public_id, touchpoint)
    return answer_survey(
        target, url_for(".portal_survey", public_id=public_id, touchpoint=touchpoint), with_csrf=True
    )


# -- staff: results and settings ------------------------------------------------------------------


@bp.get("/app/voice/candidates")
@results_required
def results():
    """Candidate experience: NPS per touchpoint, per job and per month, with comments."""
    form = ResultsFilterForm(request.args)
    jobs = services.jobs_with_answers(actor())
    form.touchpoint.choices = [("", _("Every touchpoint"))] + [
        (point.value, str(label)) for point, label in services.TOUCHPOINT_LABELS.items()
    ]
    form.job.choices = [("", _("Every job"))] + [(str(job.id), job.title) for job in jobs]
    touchpoint = Touchpoint(form.touchpoint.data) if form.touchpoint.data in TOUCHPOINT_VALUES else None
    job_id = int(form.job.data) if (form.job.data or "").isdigit() else None
    return render_template(
        "voice/results.html",
        form=form,
        results=services.survey_results(actor(), touchpoint, job_id),
        settings=services.survey_settings(actor().organization_id),
    )


@bp.route("/app/voice/settings", methods=["GET", "POST"])
@admin_required
def settings():
    """Choose the touchpoints at which candidates are asked."""
    current = services.survey_settings(actor().organization_id)
    form = SurveySettingsForm(obj=current)
    if form.validate_on_submit():
        services.update_survey_settings(
            actor(),
            after_applying=form.after_applying.data,
            after_interview=form.after_interview.data,
            after_decision=form.after_decision.data,
        )
        db.session.commit()
        flash(_("The survey settings were saved."), "success")
        return redirect(url_for(".settings"))
    return render_template("voice/settings.html", form=form), 400 if form.errors else 200
