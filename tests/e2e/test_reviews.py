# SPDX-License-Identifier: AGPL-3.0-or-later
"""In Chromium: independent, blind reviews; a manager sees only the shared shortlist; outside links work until stopped."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from app.core.extensions import db
from app.models import Role, utcnow
from app.models.review import ScorecardCriterion, ShortlistShare
from tests.factories import (
    PASSWORD,
    make_application,
    make_candidate,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def hiring(app) -> dict:
    """Two recruiters, a manager, a blind job with two interviewed candidates, and a scorecard."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        make_user(organization, Role.RECRUITER, email="ravi@example.com", name="Ravi Reviewer")
        make_user(organization, Role.MANAGER, email="marta@example.com", name="Marta Manager")
        job = make_job(organization, title="Robot Whisperer", blind_review=True)
        template = make_template(
            organization,
            questions=[
                {"prompt_text": "Warm up: say hello", "is_practice": True},
                {"prompt_text": "Tell us about a robot you built"},
                {"prompt_text": "Why this team?"},
            ],
        )
        db.session.add(
            ScorecardCriterion(
                template_id=template.id, name="Communication", guidance="Clear and concrete", position=0
            )
        )
        zelda = make_application(
            job, make_candidate(organization, name="Zelda Quintessa", email="zelda@example.com")
        )
        make_invitation(zelda, template, answered=True)
        other = make_application(job, make_candidate(organization, name="Oscar Otherton"))
        make_invitation(other, template, answered=True)
        db.session.commit()
        return {"zelda": zelda.public_id, "other": other.public_id, "job_id": job.id}


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/app/")


def rate(page, ratings: list[int], score: int, recommendation: str, note: str = "") -> None:
    """Fill in the review form and submit it."""
    scales = page.locator("fieldset.rating-scale")
    for index, rating in enumerate(ratings):
        scales.nth(index).get_by_label(str(rating), exact=True).check()
    if note:
        page.get_by_label("Note (optional)").first.fill(note)
    page.locator("fieldset.rating-scale", has_text="Communication").get_by_label(
        str(score), exact=True
    ).check()
    page.get_by_label(recommendation, exact=True).check()
    page.get_by_role("button", name="Submit my review").click()
    page.wait_for_url(re.compile(r".*#results$"))


def test_two_blind_reviewers_see_each_others_scores_only_after_submitting(
    app, live_server, browser, page, hiring
):
    base = live_server.url
    review_url = f"{base}/app/reviews/applications/{hiring['zelda']}"
    sign_in(page, base, "rita@example.com")
    page.goto(review_url)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"Review of Candidate [A-Z]-\d\d", heading)
    assert "Zelda" not in page.content()
    assert page.locator("#blind-notice").is_visible()
    assert page.get_by_text("Warm up").count() == 0
    rate(page, [5, 4], score=5, recommendation="Strong yes", note="RITA: great robot story")
    assert page.get_by_role("heading", level=1).inner_text() == "Review of Zelda Quintessa"
    assert page.locator("#results").get_by_text("1 review submitted.").is_visible()

    second = browser.new_context(locale="en-US")
    ravi = second.new_page()
    try:
        sign_in(ravi, base, "ravi@example.com")
        ravi.goto(review_url)
        assert "Zelda" not in ravi.content() and "RITA: great robot story" not in ravi.content()
        assert ravi.get_by_text("1 colleague has submitted a review.").is_visible()
        assert ravi.locator("#results").count() == 0
        rate(ravi, [2, 1], score=1, recommendation="No")
        assert "RITA: great robot story" in ravi.content()
        assert ravi.locator(".disagree-banner").is_visible()
        assert ravi.get_by_role("heading", level=1).inner_text() == "Review of Zelda Quintessa"
    finally:
        second.close()

    page.reload()
    assert page.locator("#results").get_by_text("2 reviews submitted.").is_visible()
    assert page.get_by_text("Ravi Reviewer: No").is_visible()


def test_a_manager_sees_only_the_shared_shortlist_and_an_outside_link_works_until_revoked_or_expired(
    app, live_server, browser, page, hiring
):
    base = live_server.url
    sign_in(page, base, "rita@example.com")
    page.goto(f"{base}/app/reviews/shortlists")
    page.get_by_label("Job").select_option(label="Robot Whisperer")
    page.get_by_label("Name", exact=True).fill("Final round")
    page.get_by_role("button", name="Create the shortlist").click()
    page.wait_for_url(re.compile(r".*/app/reviews/shortlists/\d+$"))
    shortlist_url = page.url
    page.get_by_label("Zelda Quintessa").check()
    page.get_by_role("button", name="Add to the shortlist").click()
    # A blind job: on the list too, a stand-in name until this recruiter has reviewed the interview.
    assert page.locator("#entries").get_by_text(re.compile(r"Candidate [A-Z]-\d\d")).is_visible()
    page.get_by_label("Hiring manager").select_option(label="Marta Manager (marta@example.com)")
    page.get_by_role("button", name="Share", exact=True).click()
    assert page.get_by_text("Shared with Marta Manager").is_visible()

    page.get_by_label("Who is it for?").fill("Dana at the agency")
    page.get_by_role("button", name="Create a link").click()
    link = page.get_by_label("Link for the outside reviewer").input_value()
    assert link.startswith("http://localhost/app/reviews/shared/")  # on PUBLIC_URL
    link = base + urlsplit(link).path
    page.get_by_label("Who is it for?").fill("Second opinion")
    page.get_by_role("button", name="Create a link").click()
    expiring_link = base + urlsplit(page.get_by_label("Link for the outside reviewer").input_value()).path

    # The hiring manager: the shared shortlist, and nothing else.
    manager_context = browser.new_context(locale="en-US")
    marta = manager_context.new_page()
    try:
        sign_in(marta, base, "marta@example.com")
        marta.get_by_role("navigation", name="Main").get_by_role("link", name="Shortlists").click()
        marta.get_by_role("link", name="Final round").click()
        assert marta.url == shortlist_url
        entries = marta.locator("#entries")
        assert entries.get_by_text(re.compile(r"Candidate [A-Z]-\d\d")).is_visible()  # blind until she scores
        assert "Oscar" not in marta.content() and "Add to the shortlist" not in marta.content()
        response = marta.goto(f"{base}/app/applications/{hiring['other']}")
        assert response.status == 403
        response = marta.goto(f"{base}/app/reviews/applications/{hiring['other']}")
        assert response.status == 403
        marta.goto(f"{base}/app/jobs/{hiring['job_id']}/applications")
        assert "Zelda Quintessa" in marta.content() and "Oscar Otherton" not in marta.content()
    finally:
        manager_context.close()

    # The outside reviewer: no account, a name asked once, watching and rating.
    guest_context = browser.new_context(locale="en-US")
    guest = guest_context.new_page()
    try:
        guest.goto(link)
        guest.get_by_label("Your name").fill("Dana Guest")
        guest.get_by_role("button", name="Continue").click()
        assert guest.get_by_text("Reviewing as Dana Guest").is_visible()
        guest.get_by_role("link", name="Watch and rate").click()
        assert guest.get_by_text("Tell us about a robot you built", exact=True).is_visible()
        rate(guest, [4, 4], score=4, recommendation="Yes")
        assert guest.locator("#results").is_visible()
        guest.goto(link)
        assert guest.get_by_role("link", name="See the results").is_visible()

        # The link is Dana's now: the same link in a second browser cannot add another reviewer.
        forwarded_context = browser.new_context(locale="en-US")
        try:
            forwarded = forwarded_context.new_page()
            response = forwarded.goto(link)
            assert response.status == 403
            heading = forwarded.get_by_role("heading", level=1).inner_text()
            assert heading == "This review link belongs to another reviewer"
            assert "Zelda" not in forwarded.content() and "Dana" not in forwarded.content()
        finally:
            forwarded_context.close()

        page.goto(shortlist_url)
        page.locator("tr", has_text="Dana at the agency").get_by_role("button", name="Revoke").click()
        assert page.get_by_text("Dana at the agency can no longer open this shortlist.").is_visible()
        response = guest.goto(link)
        assert response.status == 410
        assert guest.get_by_role("heading", level=1).inner_text() == "This review link no longer works"
        assert "Zelda" not in guest.content()

        response = guest.goto(expiring_link)
        assert response.status == 200
        with app.app_context():
            share = db.session.scalar(
                db.select(ShortlistShare).where(ShortlistShare.label == "Second opinion")
            )
            share.expires_at = utcnow() - timedelta(minutes=1)
            db.session.commit()
        response = guest.goto(expiring_link)
        assert response.status == 410 and "expired" in guest.content()
    finally:
        guest_context.close()
