# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recruiters write a job's apply-form questions; candidates see them and knockouts route to "not a fit"."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import Application, ApplicationStage, AuditEvent, JobQuestion, QuestionKind, Role, User
from app.postings.services import JobData, LocationData, create_job, publish_job
from tests.factories import make_organization, make_user
from tests.helpers import login, submit, text_of
from tests.test_applications import apply_path, post_application


def _setup(app) -> dict:
    """An organization with a draft job and one member per role, and a second organization."""
    with app.app_context():
        organization = make_organization(name="Aurora")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com")
        make_user(organization, Role.MANAGER, email="marta@example.com")
        make_user(organization, Role.EMPLOYEE, email="elena@example.com")
        make_user(make_organization(name="Other"), Role.ADMIN, email="sam@other.example.com")
        job = create_job(
            recruiter,
            JobData(
                title="Robot Whisperer",
                description_md="We build robots.",
                locations=[LocationData(city="Milan", country="IT")],
                hiring_manager_id=db.session.scalar(
                    db.select(User.id).where(User.email == "marta@example.com")
                ),
            ),
        )
        db.session.commit()
        return {"job": job.id, "org_slug": organization.slug, "job_slug": job.slug, "recruiter": recruiter.id}


def _path(ids: dict, suffix: str = "") -> str:
    return f"/app/jobs/{ids['job']}/questions{suffix}"


def _question(**overrides) -> dict[str, str]:
    """A question form as a browser posts it (the checkbox is left out when unticked)."""
    data = {
        "label": "Do you have a work permit for Italy?",
        "help_text": "",
        "kind": "short_text",
        "choices": "",
        "knockout_answers": "",
        "yes_no_knockout": "",
    }
    data.update(overrides)
    return data


def _add(client, ids: dict, **overrides):
    return submit(client, _path(ids), _question(**overrides))


def _questions(app, job_id: int) -> list[JobQuestion]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(JobQuestion).where(JobQuestion.job_id == job_id).order_by(JobQuestion.position)
            )
        )


@pytest.fixture
def ids(app, client) -> dict:
    """A recruiter signed in on ``client``, with a draft job."""
    ids = _setup(app)
    login(client, "rita@example.com")
    return ids


def test_every_kind_is_stored_as_the_apply_form_reads_it(app, client, ids):
    forms = [
        _question(label="Your GitHub handle", help_text="Optional but nice.", required="y"),
        _question(label="Why us?", kind="long_text"),
        _question(label="Work permit?", kind="yes_no", yes_no_knockout="no", required="y"),
        _question(
            label="Preferred shift",
            kind="single_choice",
            choices="Early\n\n  Late  \nNight\n",
            knockout_answers="night",
        ),
        _question(label="Tools", kind="multiple_choice", choices="ROS\nPython\nC++"),
        _question(label="Years of experience", kind="number"),
    ]
    for form in forms:
        response = submit(client, _path(ids), form)
        assert response.status_code == 302 and response.location.endswith(_path(ids))

    stored = [
        (q.position, q.label, q.kind, q.required, q.help_text, q.choices, q.knockout_answers)
        for q in _questions(app, ids["job"])
    ]
    assert stored == [
        (0, "Your GitHub handle", QuestionKind.SHORT_TEXT, True, "Optional but nice.", [], []),
        (1, "Why us?", QuestionKind.LONG_TEXT, False, "", [], []),
        (2, "Work permit?", QuestionKind.YES_NO, True, "", [], ["no"]),
        (3, "Preferred shift", QuestionKind.SINGLE_CHOICE, False, "", ["Early", "Late", "Night"], ["Night"]),
        (4, "Tools", QuestionKind.MULTIPLE_CHOICE, False, "", ["ROS", "Python", "C++"], []),
        (5, "Years of experience", QuestionKind.NUMBER, False, "", [], []),
    ]
    page = text_of(client.get(_path(ids)))
    assert "Preferred shift" in page and "Early, Late, Night" in page and "One choice from a list" in page
    assert text_of(client.get(f"/app/jobs/{ids['job']}")).count(f'href="{_path(ids)}"') == 1
    with app.app_context():
        actions = db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.action.like("job.question%"))
        )
        assert list(actions) == ["job.question_added"] * 6


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "single_choice", "choices": ""}, "choices", "Write at least two choices, one per line."),
        ({"kind": "multiple_choice", "choices": "Only one"}, "choices", "Write at least two choices"),
        (
            {"kind": "single_choice", "choices": "\n".join(f"Choice {n}" for n in range(21))},
            "choices",
            "Offer at most 20 choices.",
        ),
        ({"kind": "single_choice", "choices": "Yes\nyes"}, "choices", "Each choice must be different"),
        ({"kind": "single_choice", "choices": "A\n" + "b" * 121}, "choices", "at most 120 characters"),
        (
            {"kind": "single_choice", "choices": "Early\nLate", "knockout_answers": "Night"},
            "knockout_answers",
            "Knockout answers must be among the choices; not found: Night.",
        ),
        (
            {"kind": "single_choice", "choices": "Early\nLate", "knockout_answers": "Early\nLate"},
            "knockout_answers",
            "Leave at least one choice that is not a knockout answer.",
        ),
        (
            {"kind": "short_text", "knockout_answers": "no"},
            "knockout_answers",
            "Text and number questions cannot have knockout answers",
        ),
        ({"kind": "number", "knockout_answers": "0"}, "knockout_answers", "cannot have knockout answers"),
        (
            {"kind": "yes_no", "knockout_answers": "maybe"},
            "yes_no_knockout",
            "A yes/no question can only knock out",
        ),
        ({"label": "   "}, "label", "Write the question."),
        ({"label": "x" * 201}, "label", "Field cannot be longer than 200 characters."),
        ({"kind": "essay"}, "kind", "Not a valid choice."),
    ],
)
def test_refusals_keep_what_was_typed_next_to_the_field(app, client, ids, overrides, field, message):
    response = _add(client, ids, **{"label": "Shift?", **overrides})
    page = text_of(response)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert _questions(app, ids["job"]) == []
    if "choices" in overrides:
        assert overrides["choices"].split("\n")[-1] in page


def test_edit_changes_the_question_and_clears_what_no_longer_applies(app, client, ids):
    _add(client, ids, label="Shift?", kind="single_choice", choices="Early\nLate", knockout_answers="Late")
    (question,) = _questions(app, ids["job"])
    edit_path = _path(ids, f"/{question.id}/edit")
    page = text_of(client.get(edit_path))
    assert ">\r\nEarly\nLate</textarea>" in page and ">\r\nLate</textarea>" in page

    refused = submit(client, edit_path, _question(label="Shift?", kind="single_choice", choices="Early"))
    assert refused.status_code == 400 and "Write at least two choices" in text_of(refused)

    response = submit(client, edit_path, _question(label="Permit?", kind="yes_no", yes_no_knockout="no"))
    assert response.status_code == 302
    (edited,) = _questions(app, ids["job"])
    assert (edited.id, edited.label, edited.kind, edited.choices, edited.knockout_answers) == (
        question.id,
        "Permit?",
        QuestionKind.YES_NO,
        [],
        ["no"],
    )
    assert '<option selected value="no">' in text_of(client.get(edit_path))


def test_reorder_and_delete(app, client, ids):
    for label in ("First", "Second", "Third"):
        _add(client, ids, label=label)
    first, second, third = _questions(app, ids["job"])

    response = submit(client, _path(ids), {"offset": "1"}, action=_path(ids, f"/{first.id}/move"))
    assert response.status_code == 302
    assert [q.label for q in _questions(app, ids["job"])] == ["Second", "First", "Third"]
    submit(client, _path(ids), {"offset": "-1"}, action=_path(ids, f"/{third.id}/move"))
    submit(client, _path(ids), {"offset": "-1"}, action=_path(ids, f"/{second.id}/move"))
    assert [q.label for q in _questions(app, ids["job"])] == ["Second", "Third", "First"]

    assert submit(client, _path(ids), {}, action=_path(ids, f"/{third.id}/delete")).status_code == 302
    assert [(q.position, q.label) for q in _questions(app, ids["job"])] == [(0, "Second"), (2, "First")]
    assert submit(client, _path(ids), {}, action=_path(ids, f"/{third.id}/delete")).status_code == 404
    assert client.post(_path(ids, f"/{first.id}/delete")).status_code == 400
    _add(client, ids, label="Fourth")
    assert [q.label for q in _questions(app, ids["job"])] == ["Second", "First", "Fourth"]


def test_managers_and_employees_get_403_other_organizations_404(app, client, ids):
    _add(client, ids, label="Permit?")
    (question,) = _questions(app, ids["job"])
    job_page = f"/app/jobs/{ids['job']}"
    question_paths = [_path(ids, f"/{question.id}/{action}") for action in ("delete", "move")]

    manager = app.test_client()
    login(manager, "marta@example.com")
    assert _path(ids) not in text_of(manager.get(job_page))
    assert manager.get(_path(ids)).status_code == 403
    assert manager.get(_path(ids, f"/{question.id}/edit")).status_code == 403
    assert submit(manager, job_page, _question(), action=_path(ids)).status_code == 403
    for path in question_paths:
        assert submit(manager, job_page, {"offset": "1"}, action=path).status_code == 403

    employee = app.test_client()
    login(employee, "elena@example.com")
    assert employee.get(_path(ids)).status_code == 403

    stranger = app.test_client()
    login(stranger, "sam@other.example.com")
    assert stranger.get(_path(ids)).status_code == 404
    assert stranger.get(_path(ids, f"/{question.id}/edit")).status_code == 404
    assert submit(stranger, "/app/jobs/new", _question(), action=_path(ids)).status_code == 404
    edit = _path(ids, f"/{question.id}/edit")
    assert submit(stranger, "/app/jobs/new", _question(label="Hacked"), action=edit).status_code == 404
    for path in question_paths:
        assert submit(stranger, "/app/jobs/new", {"offset": "1"}, action=path).status_code == 404
    assert [q.label for q in _questions(app, ids["job"])] == ["Permit?"]


def test_a_question_on_another_job_is_not_reachable_through_this_one(app, client, ids):
    with app.app_context():
        other = create_job(db.session.get(User, ids["recruiter"]), JobData(title="Other job"))
        db.session.commit()
        other_id = other.id
    submit(client, f"/app/jobs/{other_id}/questions", _question(label="Elsewhere"))
    (question,) = _questions(app, other_id)
    assert client.get(_path(ids, f"/{question.id}/edit")).status_code == 404


def test_an_added_knockout_shows_on_the_apply_form_and_starts_as_new_with_its_flag(app, client, ids):
    response = _add(
        client,
        ids,
        label="Preferred shift",
        kind="single_choice",
        choices="Early\nLate\nNight",
        knockout_answers="Night",
        required="y",
    )
    assert response.status_code == 302
    (question,) = _questions(app, ids["job"])
    with app.app_context():
        publish_job(db.session.get(User, ids["recruiter"]), ids["job"])
        db.session.commit()

    path = apply_path(ids["org_slug"], ids["job_slug"])
    page = text_of(client.get(path))
    assert "Preferred shift" in page and f'name="q_{question.id}"' in page and 'value="Night"' in page
    assert post_application(client, path, **{f"q_{question.id}": "Night"}).status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert application.stage == ApplicationStage.NEW and application.knockout
