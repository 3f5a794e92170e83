# SPDX-License-Identifier: AGPL-3.0-or-later
"""Journey events: the beacon endpoint, first-touch attribution, unique visitors without IPs."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from app import create_app
from app.core.errors import Invalid
from app.core.extensions import db
from app.journey.attribution import parse_attribution
from app.journey.services import create_visitor_salt, record_event, salt_for_day, visitor_hash
from app.journey.tasks import rotate_visitor_salts
from app.models import Channel, EventType, Job, JobStatus, JourneyEvent, VisitorSalt
from config import TestingConfig
from tests.factories import make_organization

ENDPOINT = "/api/v1/events"
IP = "203.0.113.77"
UA = "Mozilla/5.0 (X11; Linux x86_64) JourneyTest/1.0"


def make_job(organization, slug: str, status: JobStatus = JobStatus.PUBLISHED) -> Job:
    """A job of ``organization`` with the given status."""
    job = Job(organization_id=organization.id, slug=slug, title=slug.replace("-", " ").title(), status=status)
    if status == JobStatus.PUBLISHED:
        job.published_at = datetime.now(UTC)
    db.session.add(job)
    db.session.flush()
    return job


@pytest.fixture
def site(app: Flask) -> dict[str, str]:
    """Two organizations; the first has a published and a draft job, the second a published one."""
    with app.app_context():
        acme = make_organization("Acme", "acme")
        other = make_organization("Other", "other-org")
        make_job(acme, "acme-engineer-3f9a")
        make_job(acme, "acme-draft-77c1", JobStatus.DRAFT)
        make_job(other, "other-designer-0b2e")
        db.session.commit()
    return {
        "org": "acme",
        "job": "acme-engineer-3f9a",
        "draft": "acme-draft-77c1",
        "foreign": "other-designer-0b2e",
    }


def event(**fields) -> dict:
    """A valid career-site view of acme, with ``fields`` overriding."""
    base = {
        "type": "career_site_view",
        "org": "acme",
        "job": None,
        "page_url": "http://localhost/careers/acme",
    }
    base.update(fields)
    return base


def post(client, body, content_type: str = "text/plain;charset=UTF-8", ip: str = IP, ua: str = UA):
    """Send a body (a dict is JSON-encoded) as a browser beacon would."""
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        ENDPOINT,
        data=data,
        content_type=content_type,
        headers={"User-Agent": ua},
        environ_base={"REMOTE_ADDR": ip},
    )


def all_events(app: Flask) -> list[JourneyEvent]:
    """Every recorded event, oldest first."""
    with app.app_context():
        events = db.session.scalars(db.select(JourneyEvent).order_by(JourneyEvent.id)).all()
        db.session.expunge_all()
        return list(events)


PRECEDENCE_CASES = [
    pytest.param(
        {
            "ref": "maria_r-42",
            "embed_host": "blog.example.org",
            "share_channel": "linkedin",
            "utm": {"source": "newsletter"},
            "referrer": "https://www.google.com/search?q=acme",
        },
        Channel.AMBASSADOR,
        "maria_r-42",
        id="ambassador-beats-everything",
    ),
    pytest.param(
        {
            "embed_host": "Blog.Example.ORG",
            "share_channel": "linkedin",
            "utm": {"utm_source": "newsletter"},
            "referrer": "https://blog.example.org/jobs",
        },
        Channel.EMBED,
        "blog.example.org",
        id="embed-beats-share",
    ),
    pytest.param(
        {"share_channel": "whatsapp", "utm": {"source": "newsletter"}, "referrer": "https://l.facebook.com/"},
        Channel.SHARE,
        "whatsapp",
        id="share-beats-campaign",
    ),
    pytest.param(
        {
            "utm": {"source": "  newsletter ", "medium": "email", "campaign": "spring"},
            "referrer": "https://t.co/x",
        },
        Channel.CAMPAIGN,
        "newsletter",
        id="campaign-beats-referral",
    ),
    pytest.param(
        {"referrer": "https://WWW.Google.com:443/search?q=jobs+at+acme"},
        Channel.REFERRAL,
        "www.google.com",
        id="referral",
    ),
    pytest.param(
        {"referrer": "http://localhost/careers/acme"},
        Channel.CAREER_SITE,
        "career_site",
        id="own-site-navigation",
    ),
    pytest.param({}, Channel.DIRECT, "direct", id="direct"),
]


@pytest.mark.parametrize("content_type", ["text/plain;charset=UTF-8", "application/json"])
@pytest.mark.parametrize(("fields", "channel", "source"), PRECEDENCE_CASES)
def test_records_a_batch_with_the_channel_and_source_by_precedence(
    app, client, site, content_type, fields, channel, source
):
    response = post(
        client,
        {"events": [event(**fields), event(type="apply_start", job=site["job"], **fields)]},
        content_type=content_type,
    )

    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.get_data() == b""
    rows = all_events(app)
    assert [row.type for row in rows] == ["career_site_view", "apply_start"]
    for row in rows:
        assert (row.channel, row.source) == (channel.value, source)
    assert rows[0].job_id is None and rows[1].job_id is not None
    assert rows[0].visitor_hash == rows[1].visitor_hash and len(rows[0].visitor_hash) == 64


def test_every_attribution_field_is_stored_cleaned(app, client, site):
    long_campaign = "c" * 300
    response = post(
        client,
        {
            "events": [
                event(
                    type="share_click",
                    job=site["job"],
                    page_url="https://localhost/careers/acme/jobs/acme-engineer-3f9a?email=ada@example.com#top",
                    referrer="https://News.Example.com/article?id=1",
                    embed_host=None,
                    share_channel="LinkedIn",
                    share_target="whatsapp",
                    ref=None,
                    utm={
                        "utm_source": " newsletter ",
                        "medium": "email",
                        "campaign": long_campaign,
                        "term": "",
                        "content": None,
                    },
                )
            ]
        },
    )

    assert response.status_code == 204
    [row] = all_events(app)
    assert (row.utm_source, row.utm_medium, row.utm_campaign) == ("newsletter", "email", "c" * 120)
    assert row.utm_term is None and row.utm_content is None
    assert row.referrer_host == "news.example.com"
    assert row.share_channel == "linkedin"
    assert row.embed_host is None and row.ambassador_code is None
    assert row.channel == "share" and row.source == "linkedin"
    # The path only: the query (which here holds an e-mail address) is never stored.
    assert row.data == {"path": "/careers/acme/jobs/acme-engineer-3f9a", "share_target": "whatsapp"}


def test_widget_events_carry_the_embedding_host(app, client, site):
    response = post(
        client,
        {
            "events": [
                {"type": "widget_view", "org": "acme", "embed_host": "www.partner.example", "page_url": None},
                {
                    "type": "card_click",
                    "org": "acme",
                    "job": site["job"],
                    "embed_host": "www.partner.example",
                },
            ]
        },
        content_type="application/json",
    )

    assert response.status_code == 204
    rows = all_events(app)
    assert [(row.type, row.channel, row.source) for row in rows] == [
        ("widget_view", "embed", "www.partner.example"),
        ("card_click", "embed", "www.partner.example"),
    ]


def invalid_bodies(site_slugs: dict[str, str]) -> list[tuple[str, object, str]]:
    """(case, body, words expected in the error) for every kind of malformed batch."""
    too_many = {"events": [event() for _ in range(21)]}
    return [
        ("invalid json", '{"events": [', "not valid JSON"),
        ("not utf-8", b"\xff\xfe{}", "not valid JSON"),
        ("not an object", [event()], '{"events"'),
        ("events not a list", {"events": event()}, '{"events"'),
        ("no events", {"events": []}, "between 1 and 20"),
        ("too many events", too_many, "between 1 and 20"),
        (
            "event not an object",
            {"events": [event(), "career_site_view"]},
            "Event 2: each event must be a JSON object",
        ),
        ("unknown type", {"events": [event(), event(type="applied")]}, "Event 2: unknown event type"),
        ("unknown org", {"events": [event(), event(org="nobody-here")]}, "Event 2: unknown organization"),
        ("job of another org", {"events": [event(job=site_slugs["foreign"])]}, "no published job"),
        ("draft job", {"events": [event(job=site_slugs["draft"])]}, "no published job"),
        ("unknown job", {"events": [event(job="no-such-job")]}, "no published job"),
        ("type not a string", {"events": [event(type=3)]}, "“type” must be a non-empty string"),
        ("org missing", {"events": [{"type": "card_view"}]}, "“org” must be a non-empty string"),
        ("job not a string", {"events": [event(job=12)]}, "“job” must be a string or null"),
        ("ref not a string", {"events": [event(ref=["a"])]}, "“ref” must be a string or null"),
        ("utm not an object", {"events": [event(utm="newsletter")]}, "“utm” must be an object"),
        ("utm value not a string", {"events": [event(utm={"source": 5})]}, "“utm.source” must be a string"),
        ("unknown utm field", {"events": [event(utm={"gclid": "x"})]}, "unknown utm field"),
        ("unknown field", {"events": [event(email="ada@example.com")]}, "unknown field “email”"),
        (
            "oversized body",
            {"events": [event(page_url="http://localhost/" + "a" * 17_000)]},
            "larger than 16 KB",
        ),
    ]


def test_every_malformed_batch_gets_a_400_saying_why_and_records_nothing(app, client, site):
    for case, body, expected in invalid_bodies(site):
        response = post(client, body)

        assert response.status_code == 400, case
        assert response.is_json, case
        message = response.get_json()["error"]["message"]
        assert expected in message, (case, message)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert all_events(app) == []


def test_other_content_types_are_refused(app, client, site):
    response = post(client, {"events": [event()]}, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "application/json or text/plain" in response.get_json()["error"]["message"]
    assert all_events(app) == []


def test_the_endpoint_never_sets_a_cookie_and_answers_cors(app, client, site):
    ok = post(client, {"events": [event()]})
    bad = post(client, "nonsense")

    for response in (ok, bad):
        assert "Set-Cookie" not in response.headers
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get_cookie("session") is None

    preflight = client.options(
        ENDPOINT,
        headers={
            "Origin": "https://partner.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Set-Cookie" not in preflight.headers


def test_get_is_not_allowed(client, site):
    assert client.get(ENDPOINT).status_code == 405


def test_requests_beyond_the_rate_limit_get_429_json(app, client, site):
    app.config["JOURNEY_RATE_LIMIT"] = "3 per minute"
    statuses = [post(client, {"events": [event()]}).status_code for _ in range(3)]
    blocked = post(client, {"events": [event()]})
    other_address = post(client, {"events": [event()]}, ip="198.51.100.9")

    assert statuses == [204, 204, 204]
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["status"] == 429
    assert "Set-Cookie" not in blocked.headers
    assert other_address.status_code == 204  # the limit is per address
    assert len(all_events(app)) == 4


def test_the_ip_and_the_page_query_are_stored_nowhere(app, client, site):
    response = post(
        client,
        {
            "events": [
                event(
                    job=site["job"],
                    page_url=f"http://localhost/careers/acme?ip={IP}&email=ada@example.com",
                    utm={"source": "newsletter"},
                )
            ]
        },
    )

    assert response.status_code == 204
    with app.app_context():
        [row] = db.session.scalars(db.select(JourneyEvent)).all()
        stored = " ".join(
            json.dumps(getattr(row, column.key), default=str) for column in JourneyEvent.__table__.columns
        )
        assert row.visitor_hash == visitor_hash(IP, UA, row.organization_id, datetime.now(UTC).date())
    for secret in (IP, "203.0.113", "ada@example.com", "JourneyTest"):
        assert secret not in stored


def test_visitor_hash_is_stable_for_one_day_one_organization_only(app):
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    with app.app_context():
        same = visitor_hash(IP, UA, 1, today)
        assert visitor_hash(IP, UA, 1, today) == same
        assert visitor_hash(IP, UA, 2, today) != same
        assert visitor_hash(IP, UA, 1, yesterday) != same
        assert visitor_hash("198.51.100.9", UA, 1, today) != same
        assert visitor_hash(IP, UA + " other", 1, today) != same
        salts = {row.day: row.salt for row in db.session.scalars(db.select(VisitorSalt))}
    assert set(salts) == {today, yesterday}
    assert salts[today] != salts[yesterday] and len(salts[today]) == 64


def test_the_daily_job_deletes_every_salt_before_today(app):
    today = datetime.now(UTC).date()
    with app.app_context():
        for days_ago in (0, 1, 2, 30):
            salt_for_day(today - timedelta(days=days_ago))
        db.session.commit()

    deleted = rotate_visitor_salts.call_local()

    assert deleted == 3
    runs_at = rotate_visitor_salts.task_class().validate_datetime
    assert runs_at(datetime(2030, 1, 2, 0, 5)) and not runs_at(datetime(2030, 1, 2, 1, 5))
    with app.app_context():
        assert list(db.session.scalars(db.select(VisitorSalt.day))) == [today]


def test_creating_a_salt_another_process_already_created_returns_that_salt(app, app_environ):
    day = date(2030, 1, 2)
    second_app = create_app(TestingConfig(app_environ))
    with app.app_context():
        first = salt_for_day(day)
        db.session.commit()
    try:
        with second_app.app_context():
            organization = make_organization()
            # The insert collides with the committed row; the SAVEPOINT keeps this transaction alive.
            assert create_visitor_salt(day) == first
            db.session.commit()
            assert db.session.get(type(organization), organization.id) is not None
            assert db.session.scalar(db.select(db.func.count()).select_from(VisitorSalt)) == 1
    finally:
        with second_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_concurrent_first_requests_of_the_day_agree_on_one_salt(app, app_environ):
    day = date(2031, 5, 6)
    apps = [app, create_app(TestingConfig(app_environ))]  # two processes' worth of caches and sessions
    barrier = threading.Barrier(2, timeout=10)
    results: list[str] = []
    errors: list[BaseException] = []

    def first_request(application: Flask) -> None:
        try:
            with application.app_context():
                barrier.wait()
                salt = salt_for_day(day)
                db.session.commit()
                results.append(salt)
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=first_request, args=(application,)) for application in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        assert len(results) == 2 and results[0] == results[1]
        with app.app_context():
            assert list(db.session.scalars(db.select(VisitorSalt.salt))) == [results[0]]
    finally:
        with apps[1].app_context():
            db.session.remove()
            db.engine.dispose()


def test_record_event_server_side_refuses_a_job_of_another_organization(app, site):
    with app.app_context():
        acme = db.session.scalar(db.select(Job).where(Job.slug == site["job"])).organization
        foreign = db.session.scalar(db.select(Job).where(Job.slug == site["foreign"]))
        attribution = parse_attribution(utm={"source": "newsletter"})
        with pytest.raises(Invalid):
            record_event(
                acme, type=EventType.APPLY_START, job=foreign, attribution=attribution, visitor_hash=None
            )

        recorded = record_event(
            acme, type=EventType.APPLY_START, attribution=attribution, visitor_hash=None, data={"step": 1}
        )
        db.session.commit()
        assert (recorded.channel, recorded.source, recorded.data) == ("campaign", "newsletter", {"step": 1})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"embed_host": "evil host/<script>"}, {"embed_host": None}),
        ({"embed_host": "-bad-.example"}, {"embed_host": None}),
        ({"embed_host": "Jobs.Partner.Example."}, {"embed_host": "jobs.partner.example"}),
        ({"share_channel": "myspace"}, {"share_channel": None}),
        ({"ambassador_code": "with space"}, {"ambassador_code": None}),
        ({"ambassador_code": "x" * 65}, {"ambassador_code": None}),
        ({"referrer": "javascript:alert(1)"}, {"referrer_host": None}),
        ({"referrer": "not a url"}, {"referrer_host": None}),
        ({"referrer": "https://[::1"}, {"referrer_host": None}),
        ({"referrer": "https://app.example.com:8443/x"}, {"referrer_host": "app.example.com"}),
    ],
)
def test_attribution_drops_values_it_cannot_trust(kwargs, expected):
    attribution = parse_attribution(**kwargs)
    for name, value in expected.items():
        assert getattr(attribution, name) == value
