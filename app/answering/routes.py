# SPDX-License-Identifier: AGPL-3.0-or-later
"""The candidate's interview pages, reached by the personal link /interview/<token> (no account)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from app.answering import bp, services
from app.answering.forms import ButtonForm, ConfirmAnswerForm, DeviceCheckForm, TextAnswerForm, TicketForm
from app.core.errors import Invalid, wants_json
from app.core.extensions import db, limiter
from app.core.forms import attach_error, require_valid
from app.core.markdown import render_markdown
from app.core.storage import MultipartTicket, UploadTicket
from app.interviews.invitations import open_invitation_from_portal
from app.media.services import prompt_media_urls, welcome_media_urls
from app.models.interview import AnswerType, InterviewInvitation, InvitationState
from app.portal.services import SESSION_KEY as PORTAL_SESSION_KEY
from app.portal.services import load_portal_session
from app.voice.services import offer_after_interview

NO_STORE = "private, no-store"
# Uploading an answer asks for a ticket and confirms it; retries with backoff stay far below this.
DEFAULT_UPLOAD_RATE_LIMIT = "60 per hour"


def upload_rate_limit() -> str:
    """Tickets and confirms per link and address, configurable as INTERVIEW_UPLOAD_RATE_LIMIT."""
    return current_app.config.get("INTERVIEW_UPLOAD_RATE_LIMIT") or DEFAULT_UPLOAD_RATE_LIMIT


def upload_limit_key() -> str:
    """Count per personal link and address: one candidate's retries never slow down another's."""
    token = (request.view_args or {}).get("token", "")
    return f"{get_remote_address()}|{token}"


@bp.after_request
def never_cache(response):
    """Interview pages are personal: keep them out of shared and browser caches."""
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.errorhandler(services.InterviewGone)
def interview_gone(error: services.InterviewGone):
    """Say when the link expired and whom to ask; keep the expiry that was just noted."""
    db.session.commit()
    invitation = error.invitation
    if wants_json():
        return jsonify(error={"status": 410, "message": error.message}), 410
    contact = services.invitation_contact(invitation)
    return render_page("answering/gone.html", invitation, 410, contact=contact)


@bp.errorhandler(429)
def too_many_uploads(error):
    """Too many tickets or confirms in a short time: say so, and that the recording is kept."""
    message = _(
        "Too many attempts to send an answer in a short time. Wait a few minutes: "
        "your recording is kept and will be sent again."
    )
    response = jsonify(error={"status": 429, "title": _("Too many requests"), "message": message})
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(int(retry_after))
    return response, 429


def load(token: str) -> InterviewInvitation:
    """The invitation of the link, its organization dressing the page; 404 or 410 when unusable."""
    invitation = services.find_invitation(token)
    g.organization = invitation.application.job.organization
    services.check_invitation_open(invitation)
    return invitation


def render_page(template: str, invitation: InterviewInvitation, status: int = 200, **context: Any):
    """Render in the candidate's language, else the organization's."""
    language = invitation.application.candidate.language or g.organization.default_language
    with force_locale(language):
        return render_template(template, invitation=invitation, **context), status


def start_url(token: str, invitation: InterviewInvitation) -> str:
    """Where Start/Continue leads: the device check for video, else the first unanswered question."""
    ordinal = services.first_unanswered(invitation)
    if ordinal is None:
        return url_for(".review", token=token)
    if services.needs_device_check(invitation) and not services.submitted_question_ids(invitation):
        return url_for(".device_check", token=token)
    return url_for(".question", token=token, position=ordinal)


def after_question_url(token: str, invitation: InterviewInvitation, position: int) -> str:
    """The next question, or the review page after the last one."""
    if position < len(services.ordered_questions(invitation)):
        return url_for(".question", token=token, position=position + 1)
    return url_for(".review", token=token)


@bp.get("/<token>")
def welcome(token: str):
    """The first page: what to expect, the deadline, Start or Continue; thanks once completed."""
    invitation = load(token)
    if invitation.state == InvitationState.COMPLETED:
        return render_page(
            "answering/finished.html",
            invitation,
            outro=render_markdown(invitation.template.outro_md),
            survey_offer=offer_after_interview(invitation, token),
        )
    services.open_invitation(invitation)
    db.session.commit()
    return render_page(
        "answering/welcome.html",
        invitation,
        token=token,
        intro=render_markdown(invitation.template.intro_md),
        welcome_video=welcome_media_urls(invitation.template),
        overview=services.describe_interview(invitation),
        resuming=bool(services.submitted_question_ids(invitation)),
        start_url=start_url(token, invitation),
        form=ButtonForm(),
    )


@bp.post("/<token>/accommodation")
def accommodation(token: str):
    """Answer video questions in writing instead."""
    invitation = load(token)
    require_valid(ButtonForm())
    services.request_text_accommodation(invitation)
    db.session.commit()
    return redirect(start_url(token, invitation))


@bp.get("/<token>/device-check")
def device_check(token: str):
    """Try the camera and microphone before the first video question."""
    invitation = load(token)
    if invitation.state == InvitationState.COMPLETED:
        return redirect(url_for(".welcome", token=token))
    ordinal = services.first_unanswered(invitation) or 1
    next_url = url_for(".question", token=token, position=ordinal)
    if not services.needs_device_check(invitation):
        return redirect(next_url)
    return render_page(
        "answering/device_check.html", invitation, token=token, next_url=next_url, form=ButtonForm()
    )


@bp.post("/<token>/device-check")
def device_check_result(token: str):
    """Count a passed or failed device check (JSON from answering.js)."""
    invitation = load(token)
    form = DeviceCheckForm()
    if not form.validate_on_submit():
        return jsonify(error={"status": 400, "message": _("Say whether the check passed.")}), 400
    services.record_device_check(invitation, form.outcome.data == "passed")
    db.session.commit()
    return jsonify(ok=True)


def render_question(
    token: str, invitation: InterviewInvitation, position: int, form: TextAnswerForm, status=200
):
    """The question page with its prompt, limits and what was answered so far."""
    question = services.question_at(invitation, position)
    answer = services.find_answer(invitation, question)
    prompt = prompt_media_urls(question)
    attempts = answer.attempts if answer and answer.submitted_at else 0
    return render_page(
        "answering/question.html",
        invitation,
        status,
        token=token,
        question=question,
        position=position,
        total=len(services.ordered_questions(invitation)),
        answer_type=services.answer_type_for(invitation, question),
        answered=bool(answer and answer.submitted_at),
        attempts=attempts,
        attempts_left=max(0, question.retakes + 1 - attempts),
        prompt_video_url=prompt.video_url,
        prompt_captions_url=prompt.captions_url,
        next_url=after_question_url(token, invitation, position),
        max_bytes=services.answer_max_bytes(),
        form=form,
        AnswerType=AnswerType,
    )


@bp.get("/<token>/q/<int:position>")
def question(token: str, position: int):
    """One question: its prompt, then the answer in writing or on camera."""
    invitation = load(token)
    if invitation.state == InvitationState.COMPLETED:
        return redirect(url_for(".welcome", token=token))
    target = services.question_at(invitation, position)
    answer = services.start_question(invitation, target)
    db.session.commit()
    return render_question(token, invitation, position, TextAnswerForm(text=answer.text or ""))


@bp.post("/<token>/q/<int:position>")
def submit_text(token: str, position: int):
    """Save a written answer (works without JavaScript); on a refusal the text is kept."""
    invitation = load(token)
    target = services.question_at(invitation, position)
    form = TextAnswerForm()
    if form.validate_on_submit():
        try:
            services.submit_text_answer(invitation, target, form.text.data or "")
        except Invalid as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            return redirect(after_question_url(token, invitation, position))
    return render_question(token, invitation, position, form, status=400)


@bp.post("/<token>/q/<int:position>/ticket")
@limiter.limit(upload_rate_limit, key_func=upload_limit_key)
def ticket(token: str, position: int):
    """Where the browser uploads this recording (JSON); a retry names the key of its earlier ticket."""
    invitation = load(token)
    form = TicketForm()
    if not form.validate_on_submit():
        return jsonify(error={"status": 400, "message": _("Say which kind of video will be uploaded.")}), 400
    upload = services.answer_upload_ticket(
        invitation,
        services.question_at(invitation, position),
        form.content_type.data,
        form.key.data or None,
        form.size.data,
    )
    db.session.commit()
    return jsonify(ticket_json(upload))


def ticket_json(upload: UploadTicket | MultipartTicket) -> dict[str, Any]:
    """A presigned POST (url and fields), or the parts of a multipart upload, as answering.js reads them."""
    if isinstance(upload, MultipartTicket):
        parts = [{"number": p.number, "url": p.url, "start": p.start, "end": p.end} for p in upload.parts]
        multipart = {
            "id": upload.multipart_id,
            "size": upload.size,
            "part_size": upload.part_size,
            "parts": parts,
        }
        return {"key": upload.key, "multipart": multipart, "expires_in": upload.expires_in}
    return {"url": upload.url, "fields": upload.fields, "key": upload.key, "max_size": upload.max_size,
            "expires_in": upload.expires_in}  # fmt: skip


@bp.post("/<token>/q/<int:position>/confirm")
@limiter.limit(upload_rate_limit, key_func=upload_limit_key)
def confirm(token: str, position: int):
    """Adopt a finished upload as the answer (JSON; repeating it for the same key is harmless)."""
    invitation = load(token)
    form = ConfirmAnswerForm()
    if not form.validate_on_submit():
        return jsonify(error={"status": 400, "message": _("The upload key is missing.")}), 400
    target = services.question_at(invitation, position)
    answer = services.submit_video_answer(invitation, target, form.key.data, form.duration.data)
    db.session.commit()
    return jsonify(
        ok=True,
        attempts=answer.attempts,
        attempts_left=max(0, target.retakes + 1 - answer.attempts),
        next_url=after_question_url(token, invitation, position),
        message=_("Your answer was saved."),
    )


@bp.get("/<token>/review")
def review(token: str):
    """Every question and whether it is answered, with the Finish button."""
    invitation = load(token)
    if invitation.state == InvitationState.COMPLETED:
        return redirect(url_for(".welcome", token=token))
    return render_review(token, invitation)


def render_review(token: str, invitation: InterviewInvitation, status: int = 200, error: str | None = None):
    """The review page, optionally with the reason finishing was refused."""
    answered = services.submitted_question_ids(invitation)
    return render_page(
        "answering/review.html",
        invitation,
        status,
        token=token,
        questions=list(enumerate(services.ordered_questions(invitation), start=1)),
        answered=answered,
        missing=services.missing_required(invitation),
        error=error,
        form=ButtonForm(),
    )


@bp.post("/<token>/finish")
def finish(token: str):
    """Send the interview: refused with the list of unanswered required questions."""
    invitation = load(token)
    require_valid(ButtonForm())
    try:
        services.finish_interview(invitation)
    except Invalid as error:
        db.session.rollback()
        return render_review(token, invitation, 400, error.message)
    db.session.commit()
    return redirect(url_for(".welcome", token=token))


@bp.get("/portal/<int:invitation_id>")
def from_portal(invitation_id: int):
    """From the candidate portal: a fresh personal link for the signed-in candidate, then the interview."""
    portal_session = load_portal_session(session.get(PORTAL_SESSION_KEY))
    if portal_session is None:
        return redirect(url_for("portal.request_link"))
    _invitation, raw = open_invitation_from_portal(portal_session.candidate, invitation_id)
    db.session.commit()
    return redirect(url_for(".welcome", token=raw))
