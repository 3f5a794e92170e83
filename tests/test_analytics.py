# SPDX-License-Identifier: AGPL-3.0-or-later
"""Analytics figures on a known set of events, applications and stage changes, checked exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from app.analytics.filters import DashboardFilters
from app.analytics.services import build_dashboard
from app.analytics.tables import Table
from app.core.extensions import db
from app.models import (
    Ambassador,
    AmbassadorShare,
    Application,
    ApplicationStageChange,
    CandidateMessage,
    JourneyEvent,
    Pulse,
    PulseResponse,
    Role,
    ShareClick,
    ShareLink,
    SurveyResponse,
    Touchpoint,
    User,
)
from tests.factories import (
    make_application,
    make_invitation,
    make_job,
    make_organization,
    make_template,
    make_user,
)

MARCH_1 = date(2026, 3, 1)
MARCH_31 = date(2026, 3, 31)
# "Now" for the response promise: the end of the range.
NOW = datetime(2026, 3, 31, tzinfo=UTC)


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    """A moment of 2026 (March unless told), in UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Seeded:
    """Ids of what the seed made."""

    organization_id: int
    job_a: int
    job_b: int
    admin_email: str
    applications: dict[str, int]


def add_events(
    organization_id: int, job_id: int | None, type: str, count: int, when: datetime, **values
) -> None:
    """``count`` journey events of one kind at one moment."""
    for _ in range(count):
        db.session.add(
            JourneyEvent(
                organization_id=organization_id,
                job_id=job_id,
                type=type,
                occurred_at=when,
                visitor_hash="f" * 64,
                channel=values.pop("channel", None) or "direct",
                **values,
            )
        )


def add_view(organization_id: int, job_id: int, channel: str, count: int, when: datetime, **values) -> None:
    """``count`` job card views from one channel."""
    for _ in range(count):
        add_events(organization_id, job_id, "card_view", 1, when, channel=channel, **values)


def apply(job, submitted: datetime, channel: str = "direct", **values) -> Application:
    """An application submitted at ``submitted``, with its first stage change as the apply form records it."""
    application = make_application(job, submitted_at=submitted, channel=channel, **values)
    db.session.add(
        ApplicationStageChange(
            organization_id=application.organization_id,
            application_id=application.id,
            from_stage=None,
            to_stage="new",
            changed_at=submitted,
        )
    )
    return application


def move(application: Application, to_stage: str, when: datetime, staff: User | None = None) -> None:
    """A stage change at a known moment (by staff when given), as ``move_application`` records it."""
    db.session.add(
        ApplicationStageChange(
            organization_id=application.organization_id,
            application_id=application.id,
            from_stage=application.stage,
            to_stage=to_stage,
            actor_user_id=staff.id if staff else None,
            changed_at=when,
        )
    )
    application.stage = to_stage
    application.closed_at = when if to_stage in ("hired", "rejected", "withdrawn") else None
    db.session.flush()


def seed_journey() -> Seeded:
    """An organization with two jobs and a month of known activity, plus noise that must not count."""
    org = make_organization(name="Aurora Robotics", response_promise_days=5)
    admin = make_user(org, Role.ADMIN)
    recruiter = make_user(org, Role.RECRUITER)
    job_a = make_job(org, "Robotics engineer")
    job_b = make_job(org, "Data engineer")
    o, a, b = org.id, job_a.id, job_b.id

    # Top of the funnel: 14 card views of job A by channel, 2 of job B; 9 + 1 apply starts.
    add_view(o, a, "career_site", 6, at(5))
    add_view(o, a, "embed", 3, at(6), embed_host="blog.example.com")
    add_view(o, a, "embed", 1, at(6), embed_host="partner.example.org")
    add_view(o, a, "campaign", 2, at(7), utm_source="linkedin", utm_medium="social", utm_campaign="spring")
    add_view(o, a, "ambassador", 2, at(8), ambassador_code="amb1")
    add_view(o, b, "direct", 2, at(31, 23))
    add_events(o, a, "apply_start", 9, at(9))
    add_events(o, b, "apply_start", 1, at(9))
    # Interview questions of job A; a re-take of question 2 is not a second submission.
    add_events(o, a, "question_started", 4, at(10), data={"question": 1})
    add_events(o, a, "question_submitted", 3, at(10), data={"question": 1})
    add_events(o, a, "question_started", 3, at(10), data={"question": 2})
    add_events(o, a, "question_submitted", 2, at(10), data={"question": 2})
    add_events(o, a, "question_submitted", 1, at(11), data={"question": 2, "attempt": 2})
    add_events(o, a, "share_click", 2, at(12), data={"share_target": "linkedin"})
    add_events(o, a, "share_click", 1, at(12), data={"share_target": "email"})
    # Outside the range, and another organization: never counted.
    add_view(o, a, "career_site", 5, at(28, month=2))
    add_events(o, a, "question_started", 2, at(1, month=4), data={"question": 1})
    other = make_organization(name="Elsewhere")
    other_job = make_job(other, "Other job")
    add_view(other.id, other_job.id, "direct", 7, at(10))
    make_application(other_job, submitted_at=at(10))

    # The cohort: eight applications submitted in March.
    a1 = apply(job_a, at(2), "career_site")
    a2 = apply(job_a, at(3), "embed", embed_host="blog.example.com")
    a3 = apply(job_a, at(10), "campaign", utm_source="linkedin", utm_medium="social", utm_campaign="spring")
    a4 = apply(job_a, at(20), "ambassador", ambassador_code="amb1")
    a5 = apply(job_a, at(25), "career_site")
    a6 = apply(job_a, at(29), "direct")
    a7 = apply(job_a, at(12), "career_site")
    b1 = apply(job_b, at(15), "direct")
    # Submitted in February: not in the cohort, but its stay in "new" ends in March.
    a0 = apply(job_a, at(20, month=2), "career_site")

    move(a1, "interview_invited", at(4), recruiter)
    move(a1, "interview_completed", at(5))
    move(a1, "shortlisted", at(9), recruiter)
    move(a1, "hired", at(12), recruiter)
    move(a2, "interview_invited", at(4), recruiter)
    move(a2, "rejected", at(6), recruiter)
    move(a3, "shortlisted", at(11), recruiter)  # skips the interview: still "reached" it
    make_invitation(a4, make_template(org), answered=True)  # interviewed without a recorded move
    move(a5, "withdrawn", at(26))  # the candidate's own move: not an answer from us
    move(b1, "interview_invited", at(16), recruiter)
    move(a0, "interview_invited", at(1, 12), recruiter)
    db.session.add(
        CandidateMessage(
            organization_id=o,
            application_id=a4.id,
            subject="Thanks",
            body="We will be in touch.",
            sent_at=at(28),
        )
    )

    # Candidate experience: 6 answers after applying, 3 after the interview (too few), one in April.
    for score in (10, 9, 9, 8, 6, 3):
        db.session.add(
            SurveyResponse(
                organization_id=o,
                job_id=a,
                touchpoint=Touchpoint.APPLIED,
                score=score,
                answered_on=date(2026, 3, 14),
            )
        )
    for score in (10, 7, 2):
        db.session.add(
            SurveyResponse(
                organization_id=o,
                job_id=b,
                touchpoint=Touchpoint.INTERVIEW,
                score=score,
                answered_on=date(2026, 3, 20),
            )
        )
    db.session.add(
        SurveyResponse(
            organization_id=o, job_id=a, touchpoint=Touchpoint.APPLIED, score=0, answered_on=date(2026, 4, 2)
        )
    )
    # Two pulses: five answers (shown), four answers (hidden).
    first_pulse = Pulse(organization_id=o, opens_on=date(2026, 3, 1), closes_on=date(2026, 3, 8))
    second_pulse = Pulse(organization_id=o, opens_on=date(2026, 3, 15), closes_on=date(2026, 3, 22))
    db.session.add_all([first_pulse, second_pulse])
    db.session.flush()
    for score in (10, 10, 9, 5, 8):
        db.session.add(PulseResponse(pulse_id=first_pulse.id, score=score, answered_on=date(2026, 3, 3)))
    for score in (10, 10, 10, 10):
        db.session.add(PulseResponse(pulse_id=second_pulse.id, score=score, answered_on=date(2026, 3, 16)))
    # An ambassador: three shares and three link clicks in March, one of each in April.
    ambassador = Ambassador(
        organization_id=o, user_id=make_user(org, Role.EMPLOYEE, name="Ada Ambassador").id, code="amb1"
    )
    db.session.add(ambassador)
    db.session.flush()
    link = ShareLink(
        organization_id=o, ambassador_id=ambassador.id, job_id=a, channel="linkedin", code="lnk1"
    )
    db.session.add(link)
    db.session.flush()
    for day in (4, 5, 6, 1):
        when = at(day, month=4 if day == 1 else 3)
        db.session.add(
            ShareClick(organization_id=o, share_link_id=link.id, occurred_at=when, visitor_hash="e" * 64)
        )
    for job_id, channel, day in (
        (a, "linkedin", date(2026, 3, 4)),
        (a, "email", date(2026, 3, 5)),
        (b, "linkedin", date(2026, 3, 6)),
        (a, "x", date(2026, 4, 1)),
    ):
        db.session.add(
            AmbassadorShare(
                organization_id=o, ambassador_id=ambassador.id, job_id=job_id, channel=channel, day=day
            )
        )
    db.session.flush()
    names = {"a0": a0, "a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5, "a6": a6, "a7": a7, "b1": b1}
    return Seeded(o, a, b, admin.email, {name: app.id for name, app in names.items()})


@pytest.fixture
def seeded(app) -> Seeded:
    """The known month, committed."""
    with app.app_context():
        seed = seed_journey()
        db.session.commit()
        return seed


def tables_of(app, seed: Seeded, job_id: int | None = None) -> dict[str, Table]:
    """Every dashboard table for March 2026, by key."""
    with app.test_request_context():
        filters = DashboardFilters(seed.organization_id, MARCH_1, MARCH_31, job_id)
        sections = build_dashboard(filters, now=NOW)
        return {table.key: table for section in sections for table in section.tables}


def test_every_funnel_number_conversion_and_drop_off(app, seeded):
    funnel = tables_of(app, seeded)["funnel"]

    assert [column.key for column in funnel.columns] == [
        "step",
        "count",
        "conversion",
        "drop_off",
        "of_first",
    ]
    assert funnel.rows == [
        ["Job card views", 16, None, None, 100.0],
        ["Apply started", 10, 62.5, 6, 62.5],
        ["Applied", 8, 80.0, 2, 50.0],
        ["Interview invited", 5, 62.5, 3, 31.3],
        ["Interview completed", 3, 60.0, 2, 18.8],
        ["Shortlisted", 2, 66.7, 1, 12.5],
        ["Hired", 1, 50.0, 1, 6.3],
    ]


def test_the_funnel_of_one_job(app, seeded):
    funnel = tables_of(app, seeded, job_id=seeded.job_a)["funnel"]

    assert funnel.rows == [
        ["Job card views", 14, None, None, 100.0],
        ["Apply started", 9, 64.3, 5, 64.3],
        ["Applied", 7, 77.8, 2, 50.0],
        ["Interview invited", 4, 57.1, 3, 28.6],
        ["Interview completed", 3, 75.0, 1, 21.4],
        ["Shortlisted", 2, 66.7, 1, 14.3],
        ["Hired", 1, 50.0, 1, 7.1],
    ]


def test_drop_off_per_interview_question(app, seeded):
    questions = tables_of(app, seeded)["questions"]

    assert questions.rows == [
        ["Question 1", 4, 3, 1, 25.0],
        ["Question 2", 3, 2, 1, 33.3],
    ]
    assert tables_of(app, seeded, job_id=seeded.job_b)["questions"].rows == []


def test_sources_and_channels_for_views_and_applications(app, seeded):
    tables = tables_of(app, seeded)

    assert tables["channels"].rows == [
        ["Career site", 6, 3, 50.0],
        ["Job card on another site", 4, 1, 25.0],
        ["Direct", 2, 2, 100.0],
        ["Employee ambassador", 2, 1, 50.0],
        ["Campaign", 2, 1, 50.0],
    ]
    assert tables["embed_hosts"].rows == [
        ["blog.example.com", 3, 1, 33.3],
        ["partner.example.org", 1, 0, 0.0],
    ]
    assert tables["campaigns"].rows == [["linkedin", "social", "spring", 2, 1, 50.0]]


def test_time_in_each_stage_counts_finished_stays_that_ended_in_the_range(app, seeded):
    stage_times = tables_of(app, seeded)["stage_times"]

    # new: 2, 1, 1 (a3), 1 (a5), 1 (b1) and 9.5 days (a0, submitted in February) → mean 2.58, median 1.
    assert stage_times.rows == [
        ["New", 6, 2.6, 1.0],
        ["Interview invited", 2, 1.5, 1.5],
        ["Interview completed", 1, 4.0, 4.0],
        ["Shortlisted", 1, 3.0, 3.0],
    ]
    assert tables_of(app, seeded, job_id=seeded.job_a)["stage_times"].rows[0] == ["New", 5, 2.9, 1.0]


def test_time_to_hire_for_hires_made_in_the_range(app, seeded):
    assert tables_of(app, seeded)["time_to_hire"].rows == [
        ["All jobs", 1, 10.0, 10.0],
        ["Robotics engineer", 1, 10.0, 10.0],
    ]
    assert tables_of(app, seeded, job_id=seeded.job_b)["time_to_hire"].rows == []


def test_response_promise_and_time_to_a_first_answer(app, seeded):
    tables = tables_of(app, seeded)

    assert tables["response_promise"].caption == "Response promise: an answer within 5 days"
    assert tables["response_promise"].rows == [
        ["Answered within 5 days", 4, 50.0],
        ["Answered later than promised", 1, 12.5],
        ["Waiting, still within the promise", 1, 12.5],
        ["Waiting past the promise", 1, 12.5],
        ["Closed without an answer (withdrawn)", 1, 12.5],
    ]
    # Waits of 2, 1, 1, 1 (staff moves) and 8 days (a message).
    assert tables["first_answer"].rows == [[5, 2.6, 1.0]]


def test_cnps_and_enps_never_show_segments_of_fewer_than_five(app, seeded):
    tables = tables_of(app, seeded)

    assert tables["cnps"].rows == [
        ["After applying", 6, 3, 1, 2, 17],
        ["After the interview", 3, None, None, None, None],
        ["After a decision", 0, None, None, None, None],
        ["All touchpoints", 9, 4, 2, 3, 11],
    ]
    assert tables["enps"].rows == [
        ["2026-03-01", 5, 3, 1, 1, 40],
        ["2026-03-15", 4, None, None, None, None],
    ]
    assert tables_of(app, seeded, job_id=seeded.job_b)["cnps"].rows[-1] == [
        "All touchpoints",
        3,
        None,
        None,
        None,
        None,
    ]


def test_advocacy_by_ambassador_and_shares(app, seeded):
    tables = tables_of(app, seeded)

    assert [column.key for column in tables["ambassadors"].columns] == [
        "ambassador",
        "shares",
        "clicks",
        "views",
        "referrals",
        "hires",
    ]
    assert tables["ambassadors"].rows == [["Ada Ambassador", 3, 3, 2, 1, 0]]
    assert tables["shares"].rows == [["LinkedIn", 2, 2], ["E-mail", 1, 1]]
    for_job_b = tables_of(app, seeded, job_id=seeded.job_b)
    assert for_job_b["ambassadors"].rows == [["Ada Ambassador", 1, 0, 0, 0, 0]]
    assert for_job_b["shares"].rows == [["LinkedIn", 1, 0]]


def test_an_empty_organization_has_empty_tables_and_no_division_by_zero(app):
    with app.app_context():
        organization = make_organization()
        db.session.commit()
        seed = Seeded(organization.id, 0, 0, "", {})
    tables = tables_of(app, seed)

    assert tables["funnel"].rows == [
        ["Job card views", 0, None, None, None],
        ["Apply started", 0, None, 0, None],
        ["Applied", 0, None, 0, None],
        ["Interview invited", 0, None, 0, None],
        ["Interview completed", 0, None, 0, None],
        ["Shortlisted", 0, None, 0, None],
        ["Hired", 0, None, 0, None],
    ]
    assert all(not tables[key].rows for key in ("questions", "channels", "stage_times", "response_promise"))
    assert tables["enps"].rows == []


def test_stays_are_measured_to_the_hour(app, seeded):
    with app.app_context():
        application = db.session.get(Application, seeded.applications["a6"])
        move(application, "interview_invited", at(29, 18))
        db.session.commit()

    # A seventh stay in "new" of 18 hours: (15.5 + 0.75) / 7 = 2.32 days.
    assert tables_of(app, seeded)["stage_times"].rows[0] == ["New", 7, 2.3, 1.0]
