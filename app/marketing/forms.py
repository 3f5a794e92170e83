# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shapes of the marketing forms."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField

from app.models import Job

LANGUAGE_CHOICES = [
    SelectChoice("", _l("The page's language")),
    SelectChoice("en", "English"),
    SelectChoice("it", "Italiano"),
]
LAYOUT_CHOICES = [
    SelectChoice("list", _l("List")),
    SelectChoice("grid", _l("Grid")),
    SelectChoice("compact", _l("Compact list")),
]


class EmbedOptionsForm(FlaskForm):
    """The options of the job widget, sent with GET so the page can be bookmarked."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    team = SelectField(_l("Team"), default="")
    location = SelectField(_l("Country"), default="")
    lang = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="")
    layout = SelectField(_l("Layout"), choices=LAYOUT_CHOICES, default="list")
    job = SelectField(_l("Show one job only"), default="")

    def offer(self, teams: list[str], countries: list[str], jobs: list[Job]) -> None:
        """Offer the teams, countries and jobs of the organization's open jobs."""
        territories = get_locale().territories if get_locale() else {}
        self.team.choices = [SelectChoice("", _l("All teams")), *(SelectChoice(team, team) for team in teams)]
        self.location.choices = [
            SelectChoice("", _l("All countries")),
            *(SelectChoice(code, territories.get(code, code)) for code in countries),
        ]
        self.job.choices = [
            SelectChoice("", _l("All open jobs")),
            *(SelectChoice(job.slug, job.title) for job in jobs),
        ]
