# SPDX-License-Identifier: AGPL-3.0-or-later
"""A recruiter works a job's board in real Chromium: drags a card, and moves another with the keyboard."""

from __future__ import annotations

import pytest

from app.core.extensions import db
from app.models import Application, Role
from tests.factories import PASSWORD, make_application, make_candidate, make_job, make_organization, make_user

pytestmark = pytest.mark.e2e


def stage_of(app, public_id: str) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Application.stage).where(Application.public_id == public_id))


def test_drag_a_card_to_another_column_and_move_one_with_the_keyboard(app, live_server, page):
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        job = make_job(organization)
        grace = make_application(job, make_candidate(organization, name="Grace Hopper"))
        alan = make_application(job, make_candidate(organization, name="Alan Turing"))
        board, grace_id, alan_id = f"/app/pipeline/jobs/{job.id}", grace.public_id, alan.public_id
        db.session.commit()

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/app/")
    page.goto(f"{live_server.url}{board}")

    # Drag and drop: the card lands in the column, the counts follow, the move is saved.
    shortlisted = page.locator('section[data-stage="shortlisted"]')
    page.locator(f"#card-{grace_id}").drag_to(shortlisted)
    status = page.locator("#pipeline-status")
    status.filter(has_text="Grace Hopper moved to Shortlisted.").wait_for()
    assert shortlisted.locator(f"#card-{grace_id}").count() == 1
    assert shortlisted.locator("[data-count]").inner_text() == "1"
    assert page.locator('section[data-stage="new"] [data-count]').inner_text() == "1"
    assert page.get_by_label("Move to (Grace Hopper)").input_value() == "shortlisted"
    assert stage_of(app, grace_id) == "shortlisted"

    # The keyboard alternative: the card's own "Move to" form.
    select = page.get_by_label("Move to (Alan Turing)")
    select.focus()
    select.select_option("offer")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Move Alan Turing"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{board}#card-{alan_id}")
    assert "Alan Turing moved to Offer." in page.locator(".flashes").inner_text()
    assert page.locator(f'section[data-stage="offer"] #card-{alan_id}').count() == 1
    assert stage_of(app, alan_id) == "offer"

    # After a reload the board reads the same from the database.
    page.reload()
    assert page.locator(f'section[data-stage="shortlisted"] #card-{grace_id}').count() == 1
