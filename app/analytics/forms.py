# SPDX-License-Identifier: AGPL-3.0-or-later
"""The dashboard's filters: a plain GET form (nothing changes, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional


class FilterForm(FlaskForm):
    """First and last day (UTC) and the job."""

    class Meta:
        csrf = False

    start = DateField(_l("First day"), validators=[Optional()])
    end = DateField(_l("Last day"), validators=[Optional()])
    job = SelectField(_l("Job"), choices=[], default="")

    def job_id(self) -> int | None:
        """The chosen job's id, or None for every job."""
        return int(self.job.data) if self.job.data else None
