# SPDX-License-Identifier: AGPL-3.0-or-later
"""Inputs found by fuzzing: partial job forms, absurd ``next=`` values."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import Job, Role
from tests.factories import PASSWORD, make_organization, make_user
from tests.helpers import login, submit
from tests.test_postings import _job_form


@pytest.mark.parametrize(
    "missing",
    [
        ("locations-0-country",),
        ("locations-0-city", "locations-0-region", "locations-0-country"),
        ("faqs-0-answer",),
        ("faqs-0-question",),
    ],
)
def test_a_job_edit_missing_location_or_faq_sub_fields_answers_400(app, client, missing) -> None:
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        db.session.commit()
    login(client, "rita@example.com")
    created = submit(client, "/app/jobs/new", _job_form())
    assert created.status_code == 302
    with app.app_context():
        job_id = db.session.scalar(db.select(Job.id))
    form = _job_form()
    form["locations-0-city"] = form.get("locations-0-city") or "Milan"
    form.setdefault("faqs-0-question", "Is it remote?")
    form.setdefault("faqs-0-answer", "Two days a week.")
    for name in missing:
        form.pop(name, None)
    if missing == ("locations-0-city", "locations-0-region", "locations-0-country"):
        form["locations-0-city"] = "Milan"  # only one sub-field of the row is sent
    response = submit(client, f"/app/jobs/{job_id}/edit", form)
    assert response.status_code == 400


def test_an_overlong_next_is_ignored_after_sign_in(app, client) -> None:
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        db.session.commit()
    long_next = "/app/" + "a" * 5000
    response = submit(
        client, "/login", {"email": "rita@example.com", "password": PASSWORD},
        action=f"/login?next={long_next}",
    )  # fmt: skip
    assert response.status_code == 302
    assert len(response.headers["Location"]) < 600
