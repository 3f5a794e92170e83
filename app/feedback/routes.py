# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff pages of the feedback area: composing decisions with a message, templates, the response promise."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import SelectChoice

from app.auth.decorators import actor, admin_required, roles_required
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.forms import attach_error, require_valid
from app.core.security import is_safe_redirect
from app.feedback import bp, message_templates, promise, services
from app.feedback.defaults import PLAIN
from app.feedback.forms import (
    LANGUAGE_NAMES,
    ButtonForm,
    ComposeForm,
    PromiseForm,
    TemplateForm,
    body_field,
    build_compose_form,
    choice_field,
    extra_field,
    feedback_from_form,
    subject_field,
    wording_field,
)
from app.feedback.placeholders import PLACEHOLDERS
from app.feedback.presentation import message_paragraphs
from app.models import Role
from app.pipeline.stages import stages_for

editor_required = roles_required(Role.ADMIN, Role.RECRUITER)


@bp.app_template_filter("message_paragraphs")
def message_paragraphs_filter(text: str) -> list[list[list[tuple[str, bool]]]]:
    """Paragraphs → lines → (text, is_link) pieces, so templates can show a message without ``|safe``."""
    return message_paragraphs(text)


@bp.context_processor
def feedback_context() -> dict[str, object]:
    """Names the feedback pages show."""
    return {"language_names": LANGUAGE_NAMES, "placeholders": PLACEHOLDERS}


# -- deciding with a message -------------------------------------------------------------------


@bp.route("/compose", methods=["GET", "POST"])
@editor_required
def compose():
    """Write to one or many candidates, optionally moving them to a stage, with feedback they may read."""
    decision = services.prepare_decision(
        actor(),
        request.args.getlist("application"),
        request.args.get("stage") or None,
        request.args.get("reason", ""),
    )
    db.session.commit()  # default templates created on first use
    form = build_compose_form(decision)()
    previews = None
    if form.validate_on_submit():
        wordings = wordings_from_form(form, decision)
        try:
            if request.form.get("action") == "preview":
                previews = preview_wordings(decision, wordings)
            else:
                messages = services.send_decision(
                    actor(), decision, wordings, feedback_from_form(form, decision)
                )
                db.session.commit()
                flash(sent_notice(len(messages)), "success")
                return redirect(after_sending(decision))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
    return render_compose(decision, form, previews)


def wordings_from_form(form: ComposeForm, decision: services.Decision) -> dict[str, services.Wording]:
    """The subject and body the recruiter wrote, per language."""
    return {
        draft.language: services.Wording(
            form[subject_field(draft.language)].data or "", form[body_field(draft.language)].data or ""
        )
        for draft in decision.drafts
    }


def preview_wordings(decision: services.Decision, wordings: dict[str, services.Wording]) -> list:
    """The wording as the first candidate of each language will read it."""
    services.check_wordings(wordings)
    first: dict[str, services.Recipient] = {}
    for recipient in decision.recipients:
        first.setdefault(recipient.language, recipient)
    return [
        (recipient, services.render_wording(wordings[language], recipient.application, actor()))
        for language, recipient in first.items()
    ]


def render_compose(decision: services.Decision, form: ComposeForm, previews: list | None):
    """The compose page, with the form's errors when it was sent back."""
    stage_choices = [SelectChoice("", _("No stage change: just a message"))] + [
        SelectChoice(stage.key, stage.name) for stage in stages_for(actor().organization_id)
    ]
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "feedback/compose.html",
        decision=decision,
        form=form,
        previews=previews,
        stage_choices=stage_choices,
        field_names={
            "subject": subject_field,
            "body": body_field,
            "choice": choice_field,
            "wording": wording_field,
            "extra": extra_field,
        },
        next_url=request.args.get("next", ""),
    ), status


def sent_notice(count: int) -> str:
    """The flash message after sending."""
    return ngettext("The message was sent.", "%(num)d messages were sent.", count)


def after_sending(decision: services.Decision) -> str:
    """Back where the recruiter came from: ``?next=`` on this site, else the application or the job's list."""
    target = request.args.get("next")
    if is_safe_redirect(target, request.host_url):
        return target
    first = decision.recipients[0].application
    if len(decision.recipients) == 1:
        return url_for("applications.detail", public_id=first.public_id)
    return url_for("applications.job_applications", job_id=first.job_id)


# -- templates and the response promise -------------------------------------------------------


@bp.get("/templates")
@editor_required
def templates():
    """The organization's message templates, and (for admins) the response promise."""
    form = PromiseForm(response_promise_days=actor().organization.response_promise_days)
    return render_templates_page(form, 200)


def render_templates_page(promise_form: PromiseForm, status: int):
    """The templates list with the response promise form (defaults created and committed on first use)."""
    rows = message_templates.list_templates(actor())
    db.session.commit()
    return render_template(
        "feedback/templates.html",
        templates=rows,
        stage_labels={
            stage.key: stage.name for stage in stages_for(actor().organization_id, include_archived=True)
        },
        reason_label=message_templates.reason_label,
        promise_form=promise_form,
    ), status


def template_data(form: TemplateForm) -> message_templates.TemplateData:
    """The service's input from the template form."""
    return message_templates.TemplateData(
        stage_key=form.stage_key.data or PLAIN,
        reason=(form.reason.data or "").strip(),
        language=form.language.data or "",
        name=form.name.data or "",
        subject=form.subject.data or "",
        body=form.body.data or "",
    )


def fill_template_choices(form: TemplateForm) -> TemplateForm:
    """The stages and languages a template may be for."""
    form.stage_key.choices = [SelectChoice(PLAIN, _("No stage change: just a message"))] + [
        SelectChoice(stage.key, stage.name)
        for stage in stages_for(actor().organization_id, include_archived=True)
    ]
    form.language.choices = [
        SelectChoice(code, LANGUAGE_NAMES.get(code, code)) for code in message_templates.languages()
    ]
    return form


@bp.route("/templates/new", methods=["GET", "POST"])
@editor_required
def new_template():
    """Add wording for a stage, reason and language."""
    form = fill_template_choices(
        TemplateForm(data=request.args.to_dict() if request.method == "GET" else None)
    )
    if form.validate_on_submit():
        try:
            message_templates.create_template(actor(), template_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The template was saved."), "success")
            return redirect(url_for(".templates"))
    status = 400 if form.is_submitted() else 200
    return render_template("feedback/template_form.html", form=form, template=None), status


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@editor_required
def edit_template(template_id: int):
    """Change a template's wording."""
    template = message_templates.get_template(actor(), template_id)
    form = fill_template_choices(TemplateForm(obj=template))
    if form.validate_on_submit():
        try:
            message_templates.update_template(actor(), template_id, template_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The template was saved."), "success")
            return redirect(url_for(".templates"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "feedback/template_form.html", form=form, template=template, delete_form=ButtonForm()
    ), status


@bp.post("/templates/<int:template_id>/delete")
@editor_required
def delete_template(template_id: int):
    """Remove a template."""
    require_valid(ButtonForm())
    message_templates.delete_template(actor(), template_id)
    db.session.commit()
    flash(_("The template was deleted."), "success")
    return redirect(url_for(".templates"))


@bp.post("/settings")
@admin_required
def settings():
    """Change the response promise."""
    form = PromiseForm()
    if form.validate_on_submit():
        try:
            promise.update_response_promise(actor(), form.response_promise_days.data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The response promise was saved."), "success")
            return redirect(url_for(".templates"))
    return render_templates_page(form, 400)
