# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the message template, compose and response promise forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.feedback.promise import MAX_PROMISE_DAYS, MIN_PROMISE_DAYS
from app.feedback.services import MAX_FEEDBACK_CHARS, MAX_SUBJECT_CHARS, Decision

LANGUAGE_NAMES = {"en": "English", "it": "Italiano"}
MAX_BODY_CHARS = 10000
MAX_EXTRA_CHARS = 3000
FEEDBACK_CHOICES = [
    SelectChoice("", _l("Not shared")),
    SelectChoice("strengths", _l("Strength")),
    SelectChoice("growth", _l("Area to grow")),
]


class TemplateForm(FlaskForm):
    """Where a template applies and its wording."""

    stage_key = SelectField(_l("Stage the decision moves to"), choices=[], validate_choice=False)
    reason = StringField(
        _l("Reason (optional, e.g. after_cv_review)"), validators=[Optional(), Length(max=40)], default=""
    )
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=MAX_SUBJECT_CHARS)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=MAX_BODY_CHARS)])


class PromiseForm(FlaskForm):
    """The organization's response promise."""

    response_promise_days = IntegerField(
        _l("Answer every applicant within (days)"),
        validators=[InputRequired(), NumberRange(min=MIN_PROMISE_DAYS, max=MAX_PROMISE_DAYS)],
    )


class ButtonForm(FlaskForm):
    """A button that only carries the CSRF token."""


class ComposeForm(FlaskForm):
    """Subject and body per language, and feedback points per candidate (fields added per decision)."""


def subject_field(language: str) -> str:
    """The name of a language's subject field."""
    return f"subject_{language}"


def body_field(language: str) -> str:
    """The name of a language's body field."""
    return f"body_{language}"


def choice_field(index: int, criterion_id: int) -> str:
    """The name of the "share as" radio of one criterion for the index-th candidate."""
    return f"fb_{index}_{criterion_id}_use"


def wording_field(index: int, criterion_id: int) -> str:
    """The name of the editable wording of one criterion for the index-th candidate."""
    return f"fb_{index}_{criterion_id}_text"


def extra_field(index: int, kind: str) -> str:
    """The name of the free points (one per line) of a kind for the index-th candidate."""
    return f"fb_{index}_extra_{kind}"


def build_compose_form(decision: Decision) -> type[ComposeForm]:
    """A compose form class with the fields this decision needs."""

    class DecisionForm(ComposeForm):
        pass

    for draft in decision.drafts:
        name = LANGUAGE_NAMES.get(draft.language, draft.language)
        setattr(
            DecisionForm,
            subject_field(draft.language),
            StringField(
                _l("Subject (%(language)s)", language=name),
                validators=[DataRequired(), Length(max=MAX_SUBJECT_CHARS)],
                default=draft.subject,
            ),
        )
        setattr(
            DecisionForm,
            body_field(draft.language),
            TextAreaField(
                _l("Message (%(language)s)", language=name),
                validators=[DataRequired(), Length(max=MAX_BODY_CHARS)],
                default=draft.body,
            ),
        )
    for index, recipient in enumerate(decision.recipients):
        for criterion in recipient.criteria:
            setattr(
                DecisionForm,
                choice_field(index, criterion.criterion_id),
                RadioField(criterion.name, choices=FEEDBACK_CHOICES, default="", validators=[Optional()]),
            )
            setattr(
                DecisionForm,
                wording_field(index, criterion.criterion_id),
                StringField(
                    _l("Wording shared for %(criterion)s", criterion=criterion.name),
                    validators=[Length(max=MAX_FEEDBACK_CHARS)],
                    default=criterion.name,
                ),
            )
        setattr(
            DecisionForm,
            extra_field(index, "strengths"),
            TextAreaField(_l("Other strengths (one per line)"), validators=[Length(max=MAX_EXTRA_CHARS)]),
        )
        setattr(
            DecisionForm,
            extra_field(index, "growth"),
            TextAreaField(_l("Other areas to grow (one per line)"), validators=[Length(max=MAX_EXTRA_CHARS)]),
        )
    return DecisionForm


def feedback_from_form(form: ComposeForm, decision: Decision) -> dict[int, dict[str, list[str]]]:
    """The points the recruiter chose to share, per application id; nothing else leaves the form."""
    chosen: dict[int, dict[str, list[str]]] = {}
    for index, recipient in enumerate(decision.recipients):
        points: dict[str, list[str]] = {"strengths": [], "growth": []}
        for criterion in recipient.criteria:
            use = getattr(form, choice_field(index, criterion.criterion_id)).data or ""
            text = (getattr(form, wording_field(index, criterion.criterion_id)).data or "").strip()
            if use in points and text:
                points[use].append(text)
        for kind in points:
            extra = getattr(form, extra_field(index, kind)).data or ""
            points[kind] += [line.strip() for line in extra.splitlines() if line.strip()]
        if any(points.values()):
            chosen[recipient.application.id] = points
    return chosen
