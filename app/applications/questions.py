# SPDX-License-Identifier: AGPL-3.0-or-later
"""The job's custom questions as WTForms fields, built per job on top of ApplyForm."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DecimalField,
    Field,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from app.applications.forms import ApplyForm
from app.models import JobQuestion, QuestionKind

YES_NO_CHOICES = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
NUMBER_LIMIT = Decimal(10) ** 12
ANSWER_REQUIRED = _l("Answer this question.")


class ChoiceField(RadioField):
    """Radio buttons that may be left alone when the question is optional."""

    def pre_validate(self, form) -> None:
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def finite_number(form, field) -> None:
    """Refuse NaN and infinity, which are not answers (and cannot be compared)."""
    if field.data is not None and not Decimal(field.data).is_finite():
        raise StopValidation(str(_l("Enter a number.")))


def field_name(question: JobQuestion) -> str:
    """The form field that carries the answer to ``question``."""
    return f"q_{question.id}"


def build_apply_form(questions: Sequence[JobQuestion]) -> type[ApplyForm]:
    """An ApplyForm subclass with one field per custom question, in the job's order."""
    attributes: dict[str, Any] = {"questions": list(questions)}
    for question in questions:
        attributes[field_name(question)] = question_field(question)
    return type("JobApplyForm", (ApplyForm,), attributes)


def question_field(question: JobQuestion) -> Field:
    """The unbound field for one question."""
    presence = [DataRequired(ANSWER_REQUIRED)] if question.required else [Optional()]
    description = question.help_text or ""
    label = question.label
    if question.kind == QuestionKind.LONG_TEXT:
        return TextAreaField(label, [*presence, Length(max=5000)], description=description)
    if question.kind == QuestionKind.YES_NO:
        return ChoiceField(label, presence, choices=YES_NO_CHOICES, description=description)
    if question.kind == QuestionKind.SINGLE_CHOICE:
        choices = [SelectChoice(choice, choice) for choice in question.choices]
        return ChoiceField(label, presence, choices=choices, description=description)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        choices = [SelectChoice(choice, choice) for choice in question.choices]
        return CheckboxesField(label, presence, choices=choices, description=description)
    if question.kind == QuestionKind.NUMBER:
        presence = [InputRequired(ANSWER_REQUIRED)] if question.required else [Optional()]
        return DecimalField(
            label,
            [*presence, finite_number, NumberRange(min=-NUMBER_LIMIT, max=NUMBER_LIMIT)],
            description=description,
            widget=NumberInput(step="any"),
        )
    return StringField(label, [*presence, Length(max=300)], description=description)


def question_fields(form: ApplyForm) -> list[tuple[JobQuestion, Field]]:
    """Each question with its bound field, for the template."""
    return [(question, form[field_name(question)]) for question in getattr(form, "questions", [])]


def answers_from_form(form: ApplyForm) -> dict[int, Any]:
    """The answers given, by question id, as JSON-ready values; unanswered questions are left out."""
    answers: dict[int, Any] = {}
    for question, field in question_fields(form):
        value = answer_value(question, field.data)
        if value not in (None, "", []):
            answers[question.id] = value
    return answers


def answer_value(question: JobQuestion, data: Any) -> Any:
    """A field's data as it is stored: text, "yes"/"no", a list of choices or a number."""
    if data is None:
        return None
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [str(item) for item in data]
    if question.kind == QuestionKind.NUMBER:
        number = Decimal(data)
        return int(number) if number == number.to_integral_value() else float(number)
    return str(data).strip()


CHOICE_GROUP_TYPES = ("ChoiceField", "CheckboxesField")


def error_entries(form: ApplyForm) -> list[tuple[str, str]]:
    """(anchor, message) per field with an error, in page order; answers to questions name the question."""
    question_field_list = [field for _question, field in question_fields(form)]
    fields = [*form.contact_fields(), form.cover_note, *question_field_list, form.privacy]
    entries = []
    for field in fields:
        if not field.errors:
            continue
        anchor = f"{field.id}-0" if field.type in CHOICE_GROUP_TYPES else field.id
        message = " ".join(str(error) for error in field.errors)
        if field in question_field_list:
            message = f"{field.label.text}: {message}"
        entries.append((anchor, message))
    return entries
