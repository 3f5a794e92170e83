# SPDX-License-Identifier: AGPL-3.0-or-later
"""Employees' voice (eNPS): scheduled pulses, personal links, anonymous answers, results from five answers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import inspect

from app.core.extensions import db
from app.models import Pulse, PulseParticipation, PulseResponse, Role, User
from app.voice import pulses
from tests.factories import make_organization, make_user
from tests.helpers import link_in_mail, login, logout, sent_mail, submit, text_of


def sign_in(client, email: str) -> None:
    """Sign out whoever is signed in, then sign in as ``email``."""
    if client.get("/app/").status_code == 200:
        logout(client)
    assert login(client, email).status_code == 302


def setup_staff(app, employees: int = 6) -> dict:
    """An organization with an admin, a recruiter and some employees."""
    with app.app_context():
        organization = make_organization(name="Aurora Robotics")
        admin = make_user(organization, Role.ADMIN, email="ada@example.com")
        make_user(organization, Role.RECRUITER, email="rita@example.com")
        for number in range(employees):
            make_user(organization, Role.EMPLOYEE, email=f"emp{number}@example.com")
        db.session.commit()
        return {"organization": organization.id, "admin": admin.email}


def schedule(
    client, *, opens: str, closes: str, reminder: str = "", audience: str = "employees", question: str = ""
):
    """Schedule a pulse through the admin page."""
    return submit(
        client,
        "/app/voice/pulses",
        {
            "question": question,
            "audience": audience,
            "opens_on": opens,
            "closes_on": closes,
            "reminder_on": reminder,
        },
    )


def pulse_link(app, email: str) -> str:
    return link_in_mail(app, email, "pulse/")


def answer(client, link: str, score: int, comment: str = ""):
    return client.post(link, data={"score": str(score), "comment": comment})


def test_enps_results_stay_hidden_until_the_fifth_answer(app, client):
    ids = setup_staff(app)
    sign_in(client, ids["admin"])
    today = pulses.today_utc()
    created = schedule(client, opens=today.isoformat(), closes=(today + timedelta(days=7)).isoformat())
    assert created.status_code == 302
    results_url = created.headers["Location"]

    scores = [10, 9, 6, 8]
    for number, score in enumerate(scores):
        assert (
            answer(
                client, pulse_link(app, f"emp{number}@example.com"), score, f"Comment {number}"
            ).status_code
            == 200
        )
        page = text_of(client.get(results_url))
        missing = 5 - (number + 1)
        assert f"{missing} more answer" in page
        assert "Results are hidden for now" in page
        assert "eNPS" not in page and "Comment 0" not in page and "Distribution" not in page

    assert answer(client, pulse_link(app, "emp4@example.com"), 3, "Comment 4").status_code == 200
    page = text_of(client.get(results_url))
    assert "Results are hidden for now" not in page
    # Promoters 10, 9 (2 of 5), detractors 6, 3 (2 of 5): eNPS 0.
    assert re.search(r'<strong class="nps-value">0</strong>', page)
    assert all(f"Comment {number}" in page for number in range(5))
    assert "5 of 6 colleagues answered." in page


def test_answers_are_anonymous_with_the_day_only_and_one_per_colleague(app, client):
    ids = setup_staff(app, employees=2)
    sign_in(client, ids["admin"])
    today = pulses.today_utc()
    schedule(client, opens=today.isoformat(), closes=today.isoformat())
    link = pulse_link(app, "emp0@example.com")
    page = text_of(client.get(link))
    assert "How likely are you to recommend Aurora Robotics as a place to work?" in page
    assert answer(client, link, 7, "Good team").status_code == 200
    again = answer(client, link, 0)
    assert again.status_code == 409 and "You already answered this pulse" in text_of(again)
    with app.app_context():
        columns = {column.name for column in inspect(PulseResponse).columns}
        assert not any("user" in name for name in columns)
        assert {
            column.name for column in inspect(PulseResponse).columns if "at" in column.name.split("_")
        } == set()
        (response,) = db.session.scalars(db.select(PulseResponse)).all()
        assert (response.score, response.comment, response.answered_on) == (7, "Good team", today)
        answered = db.session.scalars(db.select(PulseParticipation.answered)).all()
        assert sorted(answered) == [False, True]


def test_only_employees_are_asked_unless_all_staff_is_chosen(app, client):
    ids = setup_staff(app, employees=2)
    sign_in(client, ids["admin"])
    today = pulses.today_utc().isoformat()
    schedule(client, opens=today, closes=today)
    assert sorted(m.to for m in sent_mail(app)) == ["emp0@example.com", "emp1@example.com"]
    schedule(client, opens=today, closes=today, audience="all_staff", question="Would you recommend us?")
    recipients = sorted(m.to for m in sent_mail(app) if "Would you recommend us?" in (m.text or ""))
    assert recipients == ["ada@example.com", "emp0@example.com", "emp1@example.com", "rita@example.com"]


def test_a_scheduled_pulse_opens_on_its_day_and_sends_one_reminder(app, client):
    ids = setup_staff(app, employees=2)
    sign_in(client, ids["admin"])
    today = pulses.today_utc()
    opens, reminder, closes = today + timedelta(days=1), today + timedelta(days=3), today + timedelta(days=5)
    assert (
        schedule(
            client, opens=opens.isoformat(), closes=closes.isoformat(), reminder=reminder.isoformat()
        ).status_code
        == 302
    )
    assert sent_mail(app) == []
    with app.app_context():
        assert pulses.open_due_pulses(today) == 0
        assert pulses.open_due_pulses(opens) == 1
        db.session.commit()
        assert pulses.open_due_pulses(opens) == 0  # opened once
    assert len(sent_mail(app)) == 2
    first_link = pulse_link(app, "emp0@example.com")
    with app.app_context():
        pulse = db.session.scalar(db.select(Pulse))
        # Answering needs the pulse to be open today; move it so "today" is inside the window.
        pulse.opens_on, pulse.closes_on = today, closes
        db.session.commit()
    assert answer(client, first_link, 9).status_code == 200
    with app.app_context():
        assert pulses.send_due_reminders(today) == 0
        assert pulses.send_due_reminders(reminder) == 1
        db.session.commit()
        assert pulses.send_due_reminders(reminder) == 0  # one reminder only
    reminders = [m for m in sent_mail(app) if m.subject.startswith("Reminder")]
    assert [m.to for m in reminders] == ["emp1@example.com"]
    reminded_link = pulse_link(app, "emp1@example.com")
    assert answer(client, reminded_link, 4).status_code == 200


def test_bad_dates_and_closed_pulses_are_refused_clearly(app, client):
    ids = setup_staff(app, employees=1)
    sign_in(client, ids["admin"])
    today = pulses.today_utc()
    backwards = schedule(client, opens=today.isoformat(), closes=(today - timedelta(days=1)).isoformat())
    assert backwards.status_code == 400
    assert "The closing day must be on or after the opening day." in text_of(backwards)
    assert schedule(client, opens="", closes="").status_code == 400
    assert (
        schedule(client, opens=today.isoformat(), closes=today.isoformat(), audience="everyone").status_code
        == 400
    )
    schedule(client, opens=today.isoformat(), closes=today.isoformat())
    link = pulse_link(app, "emp0@example.com")
    with app.app_context():
        pulse = db.session.scalar(db.select(Pulse))
        pulse.closes_on = today - timedelta(days=1)
        pulse.opens_on = today - timedelta(days=2)
        db.session.commit()
    assert client.get(link).status_code == 410
    assert answer(client, link, 5).status_code == 410
    assert client.get("/pulse/made-up-token").status_code == 404
    assert answer(client, "/pulse/" + "x" * 43, 5).status_code == 404


def test_bad_scores_keep_the_form(app, client):
    ids = setup_staff(app, employees=1)
    sign_in(client, ids["admin"])
    today = pulses.today_utc().isoformat()
    schedule(client, opens=today, closes=today)
    link = pulse_link(app, "emp0@example.com")
    refused = client.post(link, data={"score": "12", "comment": "Keep me"})
    assert (
        refused.status_code == 400
        and "Choose a score from 0 to 10." in text_of(refused)
        and "Keep me" in text_of(refused)
    )


def test_a_colleague_who_left_can_no_longer_answer(app, client):
    ids = setup_staff(app, employees=1)
    sign_in(client, ids["admin"])
    today = pulses.today_utc().isoformat()
    schedule(client, opens=today, closes=today)
    link = pulse_link(app, "emp0@example.com")
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "emp0@example.com")).active = False
        db.session.commit()
    assert answer(client, link, 8).status_code == 410


def test_pulses_are_for_admins_of_the_same_organization(app, client):
    ids = setup_staff(app, employees=1)
    sign_in(client, ids["admin"])
    today = pulses.today_utc().isoformat()
    results_url = schedule(client, opens=today, closes=today).headers["Location"]
    sign_in(client, "rita@example.com")
    assert client.get("/app/voice/pulses").status_code == 403
    assert client.get(results_url).status_code == 403
    with app.app_context():
        make_user(make_organization(), Role.ADMIN, email="other-admin@example.com")
        db.session.commit()
    sign_in(client, "other-admin@example.com")
    assert client.get(results_url).status_code == 404


def test_the_reminder_button_sends_once(app, client):
    ids = setup_staff(app, employees=2)
    sign_in(client, ids["admin"])
    today = pulses.today_utc().isoformat()
    results_url = schedule(client, opens=today, closes=today).headers["Location"]
    assert submit(client, results_url, {}, action=f"{results_url}/remind").status_code == 302
    assert len([m for m in sent_mail(app) if m.subject.startswith("Reminder")]) == 2
    page = text_of(client.get(results_url))
    assert "The reminder was sent." in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(client.get("/app/voice/pulses"))).group(1)
    assert client.post(f"{results_url}/remind", data={"csrf_token": token}).status_code == 409


def test_trend_over_pulses_shows_only_pulses_with_enough_answers(app, client):
    ids = setup_staff(app, employees=0)
    with app.app_context():
        today = pulses.today_utc()
        admin = db.session.scalar(db.select(User).where(User.email == ids["admin"]))
        first = pulses.create_pulse(
            admin, question="", audience="employees", opens_on=today - timedelta(days=60), closes_on=today
        )
        second = pulses.create_pulse(
            admin, question="", audience="employees", opens_on=today - timedelta(days=30), closes_on=today
        )
        for score in (10, 10, 10, 9, 2):
            db.session.add(PulseResponse(pulse_id=first.id, score=score, answered_on=today))
        db.session.add(PulseResponse(pulse_id=second.id, score=0, answered_on=today))
        db.session.commit()
    sign_in(client, ids["admin"])
    page = text_of(client.get("/app/voice/pulses"))
    trend = re.search(r'<ol class="pulse-trend">(.*?)</ol>', page, re.S).group(1)
    assert "+60" in trend and "Not enough answers yet" in trend
    assert trend.index("+60") < trend.index("Not enough answers yet")  # oldest first
