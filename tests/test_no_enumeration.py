# SPDX-License-Identifier: AGPL-3.0-or-later
"""No public page or status code tells whether an e-mail address is known (issue 24, item 4)."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.test import TestResponse

from app.core.extensions import db
from app.models import Application, Candidate, Job, Role
from app.voice.services import update_survey_settings
from tests.factories import make_user
from tests.helpers import submit, text_of
from tests.test_applications import counts, post_application, published_job

KNOWN = "ada@example.com"
# What legitimately differs between two page loads: per-session CSRF tokens and per-response nonces.
VOLATILE = re.compile(r'(value|nonce|content)="[A-Za-z0-9_\-.:+/=]{20,}"')


def settled(client, response: TestResponse) -> tuple[int, str | None, int, str]:
    """(status, redirect target, final status, final page without per-session values)."""
    location = response.headers.get("Location")
    final = client.get(location) if location else response
    return response.status_code, location, final.status_code, VOLATILE.sub(r'\1="…"', text_of(final))


def test_applying_with_an_address_that_applied_answers_exactly_like_a_new_application(app: Flask) -> None:
    path, _ = published_job(app)
    assert post_application(app.test_client(), path, email=KNOWN).status_code == 302

    new_client, known_client = app.test_client(), app.test_client()
    new = settled(new_client, post_application(new_client, path, email="bea@example.com", name="Bea"))
    known = settled(known_client, post_application(known_client, path, email=KNOWN, name="Bea"))
    assert new[0] == known[0] == 302 and new[2] == known[2] == 200
    assert new == known
    assert "Thank you, your application is on its way" in known[3]
    assert counts(app)[:2] == (2, 2)  # Ada's application, Bea's; nothing for the repeat
    with app.app_context():
        assert db.session.scalar(db.select(Candidate.name).where(Candidate.email == KNOWN)) != "Bea"


def test_with_the_survey_after_applying_the_thank_you_address_looks_the_same(app: Flask) -> None:
    path, job_id = published_job(app)
    with app.app_context():
        organization = db.session.get(Job, job_id).organization
        update_survey_settings(
            make_user(organization, Role.ADMIN),
            after_applying=True,
            after_interview=False,
            after_decision=False,
        )
        db.session.commit()
    assert post_application(app.test_client(), path, email=KNOWN).status_code == 302
    new = post_application(app.test_client(), path, email="bea@example.com")
    known = post_application(app.test_client(), path, email=KNOWN)
    assert new.status_code == known.status_code == 302
    shape = re.compile(r"/apply/thanks\?survey=[A-Za-z0-9_-]{43}$")
    assert shape.search(new.headers["Location"]) and shape.search(known.headers["Location"])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Application.id))) == 2


def test_asking_for_a_portal_link_answers_the_same_for_known_and_unknown_addresses(app: Flask) -> None:
    path, _ = published_job(app)
    assert post_application(app.test_client(), path, email=KNOWN).status_code == 302
    org_slug = path.split("/")[2]
    form = f"/portal/link?org={org_slug}"

    known_client, unknown_client = app.test_client(), app.test_client()
    known = settled(known_client, submit(known_client, form, {"email": KNOWN}))
    unknown = settled(unknown_client, submit(unknown_client, form, {"email": "nobody@example.com"}))
    assert known[0] == unknown[0] == 302
    assert known == unknown
