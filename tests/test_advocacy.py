# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ambassadors: personal share links, clicks, shares, share texts, points, leaderboard and the report."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from app.advocacy import points, reports, services
from app.core.extensions import db
from app.models import (
    Ambassador,
    AmbassadorShare,
    Application,
    JobStatus,
    JourneyEvent,
    LeaderboardVisibility,
    Role,
    ShareClick,
    ShareLink,
    User,
)
from app.pipeline.stages import move_application
from tests.factories import make_organization, make_user
from tests.helpers import csrf_token, login, logout, submit, text_of
from tests.test_applications import apply_path, make_job, post_application

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
OTHER_BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15"
)
HOME = "/app/advocacy/"


def make_world(app) -> dict:
    """An organization with an admin, a recruiter, two employees, two open jobs and a draft."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        admin = make_user(organization, Role.ADMIN, email="ada@example.com", name="Ada Admin")
        recruiter = make_user(organization, Role.RECRUITER, email="rita@example.com", name="Rita Recruiter")
        elena = make_user(organization, Role.EMPLOYEE, email="elena@example.com", name="Elena Employee")
        marco = make_user(organization, Role.EMPLOYEE, email="marco@example.com", name="Marco Colleague")
        job = make_job(organization, "Robot Whisperer")
        other = make_job(organization, "Gear Poet")
        draft = make_job(organization, "Secret Plan", status=JobStatus.DRAFT)
        db.session.commit()
        return {
            "org_id": organization.id,
            "slug": organization.slug,
            "admin": admin.email,
            "recruiter": recruiter.email,
            "elena": elena.email,
            "elena_id": elena.id,
            "marco": marco.email,
            "marco_id": marco.id,
            "job_id": job.id,
            "job_slug": job.slug,
            "other_id": other.id,
            "draft_title": draft.title,
        }


def links_of(app, user_id: int) -> dict[tuple[int, str], str]:
    """The user's share link codes per (job id, channel)."""
    with app.app_context():
        rows = db.session.execute(
            db.select(ShareLink.job_id, ShareLink.channel, ShareLink.code)
            .join(Ambassador, Ambassador.id == ShareLink.ambassador_id)
            .where(Ambassador.user_id == user_id)
        )
        return {(job_id, channel): code for job_id, channel, code in rows}


def ambassador_code(app, user_id: int) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Ambassador.code).where(Ambassador.user_id == user_id))


def stats_of(app, user_id: int) -> points.AmbassadorStats:
    with app.app_context():
        ambassador = db.session.scalar(db.select(Ambassador).where(Ambassador.user_id == user_id))
        return points.ambassador_stats(ambassador.organization_id, [ambassador])[ambassador.id]


def switch_to(client, email: str) -> None:
    """Sign out whoever is signed in, and sign in as ``email``."""
    if client.get("/app/").status_code == 200:
        logout(client)
    login(client, email)


def follow(client, code: str, ua: str = BROWSER, ip: str = "203.0.113.7"):
    """Open a short link as a visitor's browser would."""
    return client.get(f"/r/{code}", headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})


def post_share(client, job_id, channel: str):
    """What advocacy.js sends when a share button is used."""
    token = csrf_token(client, HOME)
    return client.post(
        "/app/advocacy/shares",
        json={"job": job_id, "channel": channel},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )


def test_the_home_gives_a_personal_link_per_open_job_and_channel(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    page = text_of(client.get(HOME))

    links = links_of(app, world["elena_id"])
    assert set(links) == {
        (job_id, channel)
        for job_id in (world["job_id"], world["other_id"])
        for channel in services.SHARE_CHANNELS
    }
    assert len(set(links.values())) == len(links)  # every link has its own code
    assert world["draft_title"] not in page
    copy_url = f"http://localhost/r/{links[(world['job_id'], 'copy')]}"
    assert f'value="{copy_url}"' in page
    # The networks get the channel's own short link; the ready-made text carries the copy link.
    linkedin_code = links[(world["job_id"], "linkedin")]
    assert f"share-offsite/?url=http%3A%2F%2Flocalhost%2Fr%2F{linkedin_code}" in page
    assert "wa.me/?text=" in page and links[(world["job_id"], "whatsapp")] in page
    assert (
        f"Aurora Robotics is looking for: Robot Whisperer. Have a look, and apply if it&#39;s for you: {copy_url}"
        in page
    )

    client.get(HOME)
    assert links_of(app, world["elena_id"]) == links  # stable across visits


def test_a_click_is_counted_without_personal_data_and_lands_on_the_card_with_attribution(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    client.get(HOME)
    code = links_of(app, world["elena_id"])[(world["job_id"], "linkedin")]
    ref = ambassador_code(app, world["elena_id"])
    visitor = app.test_client()

    response = follow(visitor, code)
    assert response.status_code == 302
    target = response.headers["Location"]
    assert target.startswith(f"/careers/{world['slug']}/jobs/{world['job_slug']}?")
    for part in (f"ref={ref}", "s=linkedin", "utm_source=linkedin", "utm_medium=ambassador"):
        assert part in target
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"

    follow(visitor, code)  # the same person again the same day
    follow(visitor, code, ua=OTHER_BROWSER, ip="198.51.100.20")  # someone else
    follow(visitor, code, ua="facebookexternalhit/1.1")  # a link preview: not a person
    assert follow(client, code).status_code == 302  # the ambassador checking their own link
    with app.app_context():
        clicks = db.session.scalars(db.select(ShareClick)).all()
        assert len(clicks) == 3
        assert all(len(click.visitor_hash) == 64 for click in clicks)
        assert {column.name for column in ShareClick.__table__.columns} == {
            "id",
            "organization_id",
            "share_link_id",
            "occurred_at",
            "visitor_hash",
        }
    stats = stats_of(app, world["elena_id"])
    assert (stats.clicks, stats.unique_clicks) == (3, 2)
    assert follow(visitor, "no-such-code").status_code == 404


def test_views_applications_and_hires_through_a_link_credit_the_ambassador(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    client.get(HOME)
    code = links_of(app, world["elena_id"])[(world["job_id"], "whatsapp")]
    ref = ambassador_code(app, world["elena_id"])
    visitor = app.test_client()
    landing = follow(visitor, code).headers["Location"]
    assert visitor.get(landing).status_code == 200
    beacon = {
        "events": [
            {
                "type": "card_view",
                "org": world["slug"],
                "job": world["job_slug"],
                "ref": ref,
                "share_channel": "whatsapp",
                "utm": {"source": "whatsapp", "medium": "ambassador"},
            }
        ]
    }
    assert (
        visitor.post("/api/v1/events", data=json.dumps(beacon), content_type="text/plain").status_code == 204
    )
    original = {"ref": ref, "share_channel": "whatsapp", "utm": {"source": "whatsapp"}, "at": "2026-01-05"}
    response = post_application(
        visitor,
        apply_path(world["slug"], world["job_slug"]),
        ambassador_code=ref,
        share_channel="whatsapp",
        utm_source="whatsapp",
        first_touch=json.dumps(original),
    )
    assert response.status_code == 302
    with app.app_context():
        application = db.session.scalar(db.select(Application))
        assert (application.channel, application.ambassador_code, application.share_channel) == (
            "ambassador",
            ref,
            "whatsapp",
        )
        assert application.first_touch == {
            "channel": "ambassador",
            "source": ref,
            "utm_source": "whatsapp",
            "share_channel": "whatsapp",
            "ambassador_code": ref,
            "at": "2026-01-05",
        }
        view = db.session.scalar(db.select(JourneyEvent).where(JourneyEvent.type == "card_view"))
        assert (view.channel, view.ambassador_code) == ("ambassador", ref)
    stats = stats_of(app, world["elena_id"])
    assert (stats.unique_clicks, stats.views, stats.applications, stats.hires) == (1, 1, 1, 0)
    assert stats.points == 2 + 10

    with app.app_context():
        move_application(db.session.scalar(db.select(Application)), "hired", actor=None)
        db.session.commit()
    stats = stats_of(app, world["elena_id"])
    assert (stats.applications, stats.hires, stats.points) == (1, 1, 2 + 10 + 50)


def test_a_first_touch_that_is_not_usable_is_dropped(app):
    from app.applications.services import parse_first_touch

    with app.app_context():
        assert parse_first_touch(None) is None
        assert parse_first_touch("not json") is None
        assert parse_first_touch('["a list"]') is None
        assert parse_first_touch(json.dumps({"ref": "x" * 3000})) is None  # too long
        assert (
            parse_first_touch(json.dumps({"referrer": "http://localhost/careers/acme"})) is None
        )  # our site
        assert parse_first_touch(json.dumps({"ref": "<script>", "at": "yesterday"})) is None
        assert parse_first_touch(json.dumps({"utm": {"source": 7, "campaign": "spring"}, "at": "bad"})) == {
            "channel": "campaign",
            "source": "spring",
            "utm_campaign": "spring",
        }


def test_share_buttons_are_noted_once_per_job_channel_and_day(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    assert post_share(client, world["job_id"], "linkedin").status_code == 204
    assert post_share(client, world["job_id"], "linkedin").status_code == 204
    assert post_share(client, world["job_id"], "copy").status_code == 204
    bad = post_share(client, world["job_id"], "myspace")
    assert bad.status_code == 400 and "Unknown share channel" in bad.get_json()["error"]["message"]
    with app.app_context():
        foreign = make_job(make_organization(), "Elsewhere")
        db.session.commit()
        foreign_id = foreign.id
    assert post_share(client, foreign_id, "linkedin").status_code == 404
    missing_token = client.post("/app/advocacy/shares", json={"job": world["job_id"], "channel": "x"})
    assert missing_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AmbassadorShare.id))) == 2
    assert stats_of(app, world["elena_id"]).points == 2


def test_points_are_configurable_by_admins_only(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    post_share(client, world["job_id"], "linkedin")
    assert submit(client, HOME, {"points_share": "9"}, action="/app/advocacy/points").status_code == 403

    switch_to(client, world["admin"])
    values = {"points_share": "5", "points_click": "0", "points_application": "20", "points_hire": "100"}
    response = submit(client, "/app/advocacy/ambassadors", values, action="/app/advocacy/points")
    assert response.status_code == 302
    assert stats_of(app, world["elena_id"]).points == 5
    response = submit(
        client, "/app/advocacy/ambassadors", {**values, "points_hire": "5000"}, action="/app/advocacy/points"
    )
    assert response.status_code == 400
    assert "Number must be between 0 and 1000" in text_of(response)
    assert stats_of(app, world["elena_id"]).points == 5


def give_points(app, user_id: int, shares: int) -> None:
    """Record ``shares`` shares (one point each by default) for a user."""
    with app.app_context():
        user = db.session.get(User, user_id)
        ambassador = services.ensure_ambassador(user)
        job_ids = db.session.scalars(
            db.select(ShareLink.job_id).where(ShareLink.organization_id == user.organization_id)
        ).all() or [make_job(user.organization, "Extra").id]
        for number in range(shares):
            db.session.add(
                AmbassadorShare(
                    organization_id=user.organization_id,
                    ambassador_id=ambassador.id,
                    job_id=job_ids[0],
                    channel=services.SHARE_CHANNELS[number % 6],
                    day=services.utcnow().date() - timedelta(days=number // 6),
                )
            )
        db.session.commit()


def test_the_leaderboard_shows_each_person_as_they_chose(app, client):
    world = make_world(app)
    with app.app_context():
        hidden = make_user(
            db.session.get(User, world["elena_id"]).organization, Role.EMPLOYEE, name="Hidden Hannah"
        )
        db.session.commit()
        hidden_id = hidden.id
    give_points(app, world["elena_id"], 3)
    give_points(app, world["marco_id"], 5)
    give_points(app, hidden_id, 9)
    switch_to(client, world["marco"])
    response = submit(client, HOME, {"leaderboard": "named"}, action="/app/advocacy/leaderboard")
    assert response.status_code == 302
    with app.app_context():
        hannah = db.session.scalar(db.select(Ambassador).where(Ambassador.user_id == hidden_id))
        hannah.leaderboard = LeaderboardVisibility.HIDDEN
        db.session.commit()

    board = text_of(client.get(HOME)).split('id="leaderboard"')[1]
    assert "Hidden Hannah" not in board
    assert re.search(r"1\.</span>\s*<span class=\"who\">Marco Colleague <strong>\(you\)</strong>", board)
    assert re.search(
        r"2\.</span>\s*<span class=\"who\">Anonymous ambassador</span>", board
    )  # Elena's default
    assert "Elena Employee" not in board
    assert "5 points" in board and "3 points" in board and "9 points" not in board


def test_share_texts_per_job_and_language_with_placeholders(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    assert client.get("/app/advocacy/texts").status_code == 403
    switch_to(client, world["recruiter"])
    texts = "/app/advocacy/texts"
    default = "Join {organization}! We need a {job}: {link}"
    assert submit(client, texts, {"job_id": "0", "language": "en", "body": default}).status_code == 302
    special = "Robots need you at {organization}"
    assert (
        submit(client, texts, {"job_id": str(world["job_id"]), "language": "en", "body": special}).status_code
        == 302
    )
    refused = submit(client, texts, {"job_id": "0", "language": "en", "body": "Hi {name}, apply: {link}"})
    assert refused.status_code == 400
    assert "Unknown placeholder {name}" in text_of(refused)
    assert "Hi {name}, apply: {link}" in text_of(refused)  # the form keeps what was typed

    switch_to(client, world["elena"])
    page = text_of(client.get(HOME))
    links = links_of(app, world["elena_id"])
    assert f"Robots need you at Aurora Robotics http://localhost/r/{links[(world['job_id'], 'copy')]}" in page
    assert (
        f"Join Aurora Robotics! We need a Gear Poet: http://localhost/r/{links[(world['other_id'], 'copy')]}"
        in page
    )

    switch_to(client, world["recruiter"])
    assert (
        submit(client, texts, {"job_id": str(world["job_id"]), "language": "en", "body": ""}).status_code
        == 302
    )
    switch_to(client, world["elena"])
    assert "Join Aurora Robotics! We need a Robot Whisperer" in text_of(client.get(HOME))


def test_the_report_credits_first_and_last_touch_per_job_ambassador_and_channel(app, client):
    world = make_world(app)
    for email in (world["elena"], world["marco"]):
        switch_to(client, email)
        client.get(HOME)
    elena, marco = ambassador_code(app, world["elena_id"]), ambassador_code(app, world["marco_id"])
    visitor = app.test_client()
    follow(visitor, links_of(app, world["elena_id"])[(world["job_id"], "linkedin")])
    path = apply_path(world["slug"], world["job_slug"])
    # First came through Marco's WhatsApp message, applied after Elena's LinkedIn post.
    post_application(
        visitor,
        path,
        email="first@example.com",
        ambassador_code=elena,
        share_channel="linkedin",
        first_touch=json.dumps({"ref": marco, "share_channel": "whatsapp"}),
    )
    # First came through Elena, applied from a newsletter.
    post_application(
        app.test_client(),
        path,
        email="second@example.com",
        utm_source="newsletter",
        first_touch=json.dumps({"ref": elena, "share_channel": "email"}),
    )
    with app.app_context():
        hired = db.session.scalar(db.select(Application).where(Application.ambassador_code == elena))
        move_application(hired, "hired", actor=None)
        report = reports.build_report(world["org_id"], "all")
        db.session.commit()

    people = {row.label: row for row in report.by_ambassador}
    assert (people["Elena Employee"].applications_last, people["Elena Employee"].applications_first) == (1, 1)
    assert (people["Elena Employee"].hires_last, people["Elena Employee"].hires_first) == (1, 0)
    assert (people["Marco Colleague"].applications_last, people["Marco Colleague"].applications_first) == (
        0,
        1,
    )
    assert (people["Marco Colleague"].hires_last, people["Marco Colleague"].hires_first) == (0, 1)
    assert people["Elena Employee"].unique_clicks == 1
    [job_row] = report.by_job
    assert (job_row.label, job_row.unique_clicks, job_row.applications_last, job_row.applications_first) == (
        "Robot Whisperer",
        1,
        1,
        2,
    )
    channels = {row.label: row for row in report.by_channel}
    assert (
        channels["Employee ambassador"].applications_last,
        channels["Employee ambassador"].applications_first,
    ) == (
        1,
        2,
    )
    assert (channels["Campaign"].applications_last, channels["Campaign"].applications_first) == (1, 0)
    shares = {row.label: row for row in report.by_share_channel}
    assert (shares["LinkedIn"].unique_clicks, shares["LinkedIn"].applications_last) == (1, 1)
    assert (shares["WhatsApp"].applications_first, shares["WhatsApp"].hires_first) == (1, 1)

    switch_to(client, world["recruiter"])
    page = text_of(client.get("/app/advocacy/report?period=all"))
    assert "Elena Employee" in page and "Marco Colleague" in page and "Robot Whisperer" in page
    switch_to(client, world["elena"])
    assert client.get("/app/advocacy/report").status_code == 403


def test_another_organizations_staff_sees_none_of_it(app, client):
    world = make_world(app)
    switch_to(client, world["elena"])
    client.get(HOME)
    with app.app_context():
        make_user(make_organization(name="Other Co"), Role.RECRUITER, email="out@example.com")
        db.session.commit()
    switch_to(client, "out@example.com")
    page = text_of(client.get("/app/advocacy/report?period=all"))
    assert "Elena Employee" not in page and "Robot Whisperer" not in page
    assert client.post("/app/advocacy/texts", data={}).status_code == 400  # no CSRF token: refused
    response = submit(
        client,
        "/app/advocacy/texts",
        {"job_id": str(world["job_id"]), "language": "en", "body": "Mine {job}"},
    )
    assert response.status_code == 400  # not one of their jobs
    home = text_of(client.get(HOME))
    assert "Robot Whisperer" not in home
