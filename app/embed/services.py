# SPDX-License-Identifier: AGPL-3.0-or-later
"""Widget options, the snippets marketing pastes, and the cards of the iframe variant."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from app.api import services as public
from app.core.errors import Invalid, NotFound
from app.core.urls import public_url
from app.models import Job, Organization

LAYOUTS = ("list", "grid", "compact")
WIDGET_LANGUAGES = ("en", "it")
HOSTNAME = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$")
OPTION_NAMES = ("team", "location", "lang", "layout", "job")


@dataclass(frozen=True)
class WidgetOptions:
    """How one widget is narrowed and shown; empty values mean the defaults."""

    team: str = ""
    location: str = ""
    lang: str = ""
    layout: str = "list"
    job: str = ""

    def attributes(self) -> list[tuple[str, str]]:
        """The options that differ from the defaults, in snippet order."""
        pairs = [("team", self.team), ("location", self.location), ("lang", self.lang)]
        pairs += [("layout", self.layout if self.layout != "list" else ""), ("job", self.job)]
        return [(name, value) for name, value in pairs if value]


def parse_widget_options(values: Mapping[str, str]) -> WidgetOptions:
    """Read widget options from plain strings; Invalid names the bad one."""
    cleaned = {name: (values.get(name) or "").strip() for name in OPTION_NAMES}
    if cleaned["location"] and not public.COUNTRY.match(cleaned["location"]):
        raise Invalid(
            str(_l("Write the country as a two-letter ISO code, for example IT.")), field="location"
        )
    if cleaned["lang"] and cleaned["lang"] not in WIDGET_LANGUAGES:
        raise Invalid(str(_l("Choose English or Italian.")), field="lang")
    if cleaned["layout"] and cleaned["layout"] not in LAYOUTS:
        raise Invalid(str(_l("Choose a list, a grid or a compact list.")), field="layout")
    return WidgetOptions(
        team=cleaned["team"][:120],
        location=cleaned["location"].upper(),
        lang=cleaned["lang"],
        layout=cleaned["layout"] or "list",
        job=cleaned["job"][:80],
    )


def script_snippet(organization: Organization, options: WidgetOptions) -> str:
    """The two lines of HTML that show the widget on any page."""
    attributes = "".join(f' data-{name}="{escape(value)}"' for name, value in options.attributes())
    return (
        f'<div data-openround-jobs="{escape(organization.slug)}"{attributes}></div>\n'
        f'<script src="{escape(public_url("embed.loader"))}" async></script>'
    )


def frame_address(organization: Organization, options: WidgetOptions) -> str:
    """The absolute address of the iframe variant with these options."""
    return public_url("embed.frame", org_slug=organization.slug, **dict(options.attributes()))


def frame_snippet(organization: Organization, options: WidgetOptions, title: str) -> str:
    """The iframe and its resizer, for pages that cannot run our script inline."""
    return (
        f'<iframe src="{escape(frame_address(organization, options))}" title="{escape(title)}"'
        ' loading="lazy" style="width:100%;border:0" id="openround-jobs-frame"></iframe>\n'
        f'<script src="{escape(public_url("embed.resizer"))}" async></script>'
    )


def build_snippets(organization: Organization, options: WidgetOptions, frame_title: str) -> dict[str, str]:
    """Both snippets of the builder, by the names its page and its JSON use."""
    return {
        "script_snippet": script_snippet(organization, options),
        "frame_snippet": frame_snippet(organization, options, frame_title),
    }


def embed_host_from(referrer: str | None) -> str:
    """The host name of the page embedding the frame, when the browser told us."""
    host = urlsplit(referrer or "").hostname or ""
    return host if HOSTNAME.match(host) else ""


def tracked_link(url: str, embed_host: str) -> str:
    """A job address carrying where the visitor came from (the embedding site)."""
    if not embed_host:
        return url
    parts = urlsplit(url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query)
        if key not in {"embed", "utm_source", "utm_medium"}
    ]
    query += [("embed", embed_host), ("utm_source", embed_host), ("utm_medium", "embed")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def frame_jobs(organization: Organization, options: WidgetOptions) -> list[Job]:
    """The jobs the iframe shows: one job, or the open jobs narrowed by team and country."""
    if options.job:
        try:
            return [public.find_public_job(organization, options.job)]
        except NotFound:
            return []  # a closed job leaves the host page an empty state, not an error page
    filters = public.JobFilters(team=options.team or None, country=options.location or None)
    return public.list_public_jobs(organization, filters)


def card_meta(card: dict[str, Any]) -> str:
    """One line under a job title: team, where, and how remote."""
    parts = [card["team"]] if card["team"] else []
    if card["work_model"] == "remote":
        parts.append(_("Remote"))
    parts += [location["city"] or location["country"] for location in card["locations"][:2]]
    if card["work_model"] == "hybrid":
        parts.append(_("Hybrid"))
    return " · ".join(parts)


def frame_cards(organization: Organization, jobs: list[Job], embed_host: str) -> list[dict[str, Any]]:
    """Public job documents with a meta line and links that credit the embedding site."""
    cards = []
    for job in jobs:
        card = public.public_job(organization, job)
        card["url"] = tracked_link(card["url"], embed_host)
        card["meta"] = card_meta(card)
        cards.append(card)
    return cards


def embed_choices(organization: Organization) -> dict[str, list[Any]]:
    """What the snippet builder offers: teams, countries and jobs of the open jobs."""
    jobs = public.list_public_jobs(organization, public.JobFilters(limit=None))
    teams = sorted({job.team.strip() for job in jobs if job.team.strip()}, key=str.lower)
    countries = sorted(set().union(*(public.job_countries(job) for job in jobs))) if jobs else []
    return {"teams": teams, "countries": countries, "jobs": sorted(jobs, key=lambda job: job.title.lower())}
