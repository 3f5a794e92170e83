# SPDX-License-Identifier: AGPL-3.0-or-later
"""Analytics pages: access, filters, the live JSON with ETags, CSV matching the screen, JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from app.analytics.tables import NOT_SHOWN
from app.core.extensions import db
from app.models import JourneyEvent, Role
from tests.factories import make_job, make_organization, make_user
from tests.helpers import login, text_of
from tests.test_analytics import Seeded, add_view, at, seed_journey

MARCH = "start=2026-03-01&end=2026-03-31"
TABLE_KEYS = (
    "funnel",
    "questions",
    "channels",
    "embed_hosts",
    "campaigns",
    "stage_times",
    "time_to_hire",
    "response_promise",
    "first_answer",
    "cnps",
    "enps",
    "ambassadors",
    "shares",
)


class TableReader(HTMLParser):
    """The text of every body cell of every ``<table data-table=…>`` on a page, by table key."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "data-table" in attributes:
            self.current = attributes["data-table"]
            self.tables[self.current] = []
        elif tag == "tr" and self.current and attributes.get("class") != "empty":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def screen_tables(html: str) -> dict[str, list[list[str]]]:
    """The tables' body rows as shown on the page, heading row first."""
    reader = TableReader()
    reader.feed(html)
    return {key: rows[1:] for key, rows in reader.tables.items()}


def as_number(text: str) -> str:
    """A displayed cell as CSV writes it: no thousands separators, no percent sign, no dash."""
    text = text.replace(",", "").removesuffix(" %").strip()
    return "" if text == NOT_SHOWN else text


@pytest.fixture
def seeded(app) -> Seeded:
    """The known month of tests/test_analytics.py, committed."""
    with app.app_context():
        seed = seed_journey()
        db.session.commit()
        return seed


@pytest.fixture
def signed_in(app, client, seeded: Seeded):
    """The seeded organization's administrator, signed in."""
    login(client, seeded.admin_email)
    return client


def read_csv(response) -> list[list[str]]:
    """A CSV download's rows, heading first."""
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_staff_without_analytics_rights_are_refused(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.MANAGER, email="manager@example.com")
        make_user(organization, Role.EMPLOYEE, email="employee@example.com")
        db.session.commit()

    assert client.get("/app/analytics/").status_code == 302  # to the sign-in page
    for email in ("manager@example.com", "employee@example.com"):
        staff = app.test_client()
        login(staff, email)
        assert staff.get("/app/analytics/").status_code == 403
        assert staff.get("/app/analytics/data.json").status_code == 403
        assert staff.get("/app/analytics/export/funnel.csv").status_code == 403


def test_the_dashboard_page_shows_every_table_with_its_chart_and_csv_link(app, signed_in, seeded):
    response = signed_in.get(f"/app/analytics/?{MARCH}")
    html = text_of(response)

    assert response.status_code == 200
    tables = screen_tables(html)
    assert set(tables) == set(TABLE_KEYS)
    assert tables["funnel"][0] == ["Job card views", "16", NOT_SHOWN, NOT_SHOWN, "100.0 %"]
    assert tables["funnel"][-1] == ["Hired", "1", "50.0 %", "1", "6.3 %"]
    assert 'data-chart-for="funnel"' in html and "<caption>Funnel</caption>" in html
    assert f"/app/analytics/export/funnel.csv?{MARCH}" in html.replace("&amp;", "&")
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert ">Analytics</a>" in html  # the navigation entry
    # The page carries its figures and their ETag: the live script's first poll is a 304.
    etag = re.search(r'data-etag="&#34;([0-9a-f]+)&#34;"', html).group(1)
    poll = signed_in.get(f"/app/analytics/data.json?{MARCH}", headers={"If-None-Match": f'"{etag}"'})
    assert poll.status_code == 304


def test_every_csv_export_matches_the_numbers_on_screen_and_in_the_json(app, signed_in, seeded):
    html = text_of(signed_in.get(f"/app/analytics/?{MARCH}"))
    screen = screen_tables(html)
    payload = signed_in.get(f"/app/analytics/data.json?{MARCH}").get_json()
    shown = {table["key"]: table for section in payload["sections"] for table in section["tables"]}

    for key in TABLE_KEYS:
        response = signed_in.get(f"/app/analytics/export/{key}.csv?{MARCH}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        heading, *rows = read_csv(response)
        assert heading == [column["label"] for column in shown[key]["columns"]]
        assert rows == [
            ["" if value is None else str(value) for value in row] for row in shown[key]["rows"]
        ], key
        on_screen = [[row[0], *[as_number(text) for text in row[1:]]] for row in screen[key]]
        assert [[row[0], *row[1:]] for row in rows] == on_screen, key
    assert len(shown["funnel"]["rows"]) == 7 and shown["funnel"]["display"][3][4] == "31.3 %"


def test_the_json_answers_304_until_something_happens(app, signed_in, seeded):
    app.config["ANALYTICS_REFRESH_FACTOR"] = 0  # recount as soon as anything changed
    first = signed_in.get(f"/app/analytics/data.json?{MARCH}")
    etag = first.headers["ETag"]

    again = signed_in.get(f"/app/analytics/data.json?{MARCH}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert signed_in.get(f"/app/analytics/data.json?{MARCH}&job={seeded.job_a}").headers["ETag"] != etag

    with app.app_context():
        add_view(seeded.organization_id, seeded.job_a, "direct", 1, at(30))
        db.session.commit()
    changed = signed_in.get(f"/app/analytics/data.json?{MARCH}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    funnel = changed.get_json()["sections"][0]["tables"][0]
    assert funnel["rows"][0][:2] == ["Job card views", 17]


def test_a_busy_dashboard_keeps_its_figures_until_the_last_count_is_old_enough(app, signed_in, seeded):
    app.config["ANALYTICS_REFRESH_FACTOR"] = 100_000  # as if counting took very long
    etag = signed_in.get(f"/app/analytics/data.json?{MARCH}").headers["ETag"]
    with app.app_context():
        add_view(seeded.organization_id, seeded.job_a, "direct", 1, at(30))
        db.session.commit()

    assert (
        signed_in.get(f"/app/analytics/data.json?{MARCH}", headers={"If-None-Match": etag}).status_code == 304
    )
    app.config["ANALYTICS_REFRESH_FACTOR"] = 0
    fresh = signed_in.get(f"/app/analytics/data.json?{MARCH}", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.get_json()["sections"][0]["tables"][0]["rows"][0][1] == 17


def test_another_organizations_activity_does_not_change_the_version(app, signed_in, seeded):
    etag = signed_in.get(f"/app/analytics/data.json?{MARCH}").headers["ETag"]
    with app.app_context():
        other = make_organization()
        add_view(other.id, make_job(other).id, "direct", 3, at(30))
        db.session.commit()

    assert (
        signed_in.get(f"/app/analytics/data.json?{MARCH}", headers={"If-None-Match": etag}).status_code == 304
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-03-31&end=2026-03-01", "The first day must not be after the last day."),
        ("start=yesterday", "Not a valid date value."),
        ("start=2020-01-01&end=2026-01-01", "Choose a range of at most three years."),
        ("job=999999", "Not a valid choice."),
    ],
)
def test_bad_filters_answer_400_saying_what_is_wrong(app, signed_in, seeded, query, message):
    page = signed_in.get(f"/app/analytics/?{query}")
    assert page.status_code == 400 and message in text_of(page)

    data = signed_in.get(f"/app/analytics/data.json?{query}")
    assert data.status_code == 400 and message in data.get_json()["error"]["message"]
    assert signed_in.get(f"/app/analytics/export/funnel.csv?{query}").status_code == 400


def test_a_job_of_another_organization_is_not_a_filter(app, signed_in, seeded):
    with app.app_context():
        foreign = make_job(make_organization())
        db.session.commit()
        foreign_id = foreign.id

    assert signed_in.get(f"/app/analytics/data.json?job={foreign_id}").status_code == 400
    assert (
        signed_in.get(f"/app/analytics/jobs/{seeded.job_a}")
        .headers["Location"]
        .endswith(f"?job={seeded.job_a}")
    )
    assert signed_in.get("/app/analytics/export/nothing.csv").status_code == 404


def test_the_default_range_is_the_last_thirty_days(app, signed_in, seeded):
    html = text_of(signed_in.get("/app/analytics/"))
    assert 'name="start" type="date"' in html and 'name="end" type="date"' in html
    # March 2026 is long before the last thirty days of today: nothing of the seed shows.
    assert screen_tables(html)["funnel"][0][:2] == ["Job card views", "0"]


def test_text_cells_cannot_become_spreadsheet_formulas(app, signed_in, seeded):
    with app.app_context():
        add_view(seeded.organization_id, seeded.job_a, "campaign", 1, at(30), utm_source="=HYPERLINK(1)")
        db.session.commit()
    rows = read_csv(signed_in.get(f"/app/analytics/export/campaigns.csv?{MARCH}"))
    assert ["'=HYPERLINK(1)", "", "", "1", "0", "0.0"] in rows


def test_the_journey_exports_as_json_lines_filtered_by_date_without_personal_data(app, signed_in, seeded):
    response = signed_in.get("/app/analytics/export/journey.jsonl?start=2026-03-05&end=2026-03-06")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]

    events = [line for line in lines if line["kind"] == "event"]
    changes = [line for line in lines if line["kind"] == "stage_change"]
    assert [event["type"] for event in events] == ["card_view"] * 6 + ["card_view"] * 4
    assert events[0]["channel"] == "career_site" and events[0]["occurred_at"] == "2026-03-05T00:00:00Z"
    assert events[-1]["embed_host"] in ("blog.example.com", "partner.example.org")
    assert [(change["to_stage"], change["occurred_at"]) for change in changes] == [
        ("interview_completed", "2026-03-05T00:00:00Z"),
        ("rejected", "2026-03-06T00:00:00Z"),
    ]
    assert changes[1]["by_staff"] is True and changes[0]["by_staff"] is False
    text = response.get_data(as_text=True)
    assert "visitor_hash" not in text and "f" * 64 not in text and "@example.com" not in text

    only_b = signed_in.get(
        f"/app/analytics/export/journey.jsonl?start=2026-03-01&end=2026-03-31&job={seeded.job_b}"
    )
    types = [json.loads(line)["type"] for line in only_b.get_data(as_text=True).splitlines()]
    assert types == ["apply_start", "card_view", "card_view", "stage_changed", "stage_changed"]


def test_the_journey_export_streams_in_batches(app, signed_in, seeded, monkeypatch):
    monkeypatch.setattr("app.analytics.export.BATCH_SIZE", 4)
    with app.app_context():
        expected = db.session.scalar(
            db.select(db.func.count())
            .select_from(JourneyEvent)
            .where(JourneyEvent.organization_id == seeded.organization_id)
        )
    response = signed_in.get("/app/analytics/export/journey.jsonl?start=2026-02-01&end=2026-04-30")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    events = [line for line in lines if line["kind"] == "event"]

    assert len(events) == expected and len({event["id"] for event in events}) == expected
    assert [event["occurred_at"] for event in events] == sorted(event["occurred_at"] for event in events)
