# SPDX-License-Identifier: AGPL-3.0-or-later
"""Acceptance, in real Chromium: a candidate answers the cNPS question on the interview's finished
page, and a recruiter sees the answer in the candidate experience results."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.test_voice import add_answers, setup_interview

pytestmark = pytest.mark.e2e


def test_a_cnps_answer_from_the_interview_finished_page_shows_in_the_results(app, live_server, page):
    ids = setup_interview(app)
    add_answers(app, ids, [9, 10, 3, 8])  # four earlier answers: one short of showing a score

    page.goto(f"{live_server.url}{ids['interview_link']}")
    expect(page.get_by_role("heading", name="Thank you, your interview was sent")).to_be_visible()
    question = page.get_by_role(
        "group", name="How likely are you to recommend applying to Aurora Robotics to a friend?"
    )
    expect(question).to_be_visible()
    question.get_by_role("radio", name="10", exact=True).check()
    page.get_by_label("Anything you would like to tell us? (optional)").fill("Clear questions, kind outro.")
    page.get_by_label("Keep it anonymous").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you for your answer")).to_be_visible()

    # The finished page no longer asks.
    page.goto(f"{live_server.url}{ids['interview_link']}")
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(ids["recruiter"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Candidate experience").click()
    row = page.locator('tr[data-touchpoint="interview"]')
    expect(row).to_contain_text("After the interview")
    expect(row.locator("td").nth(1)).to_have_text("5")
    expect(row.locator("td").nth(2)).to_have_text("+40")
    expect(page.get_by_text("Clear questions, kind outro.")).to_be_visible()
