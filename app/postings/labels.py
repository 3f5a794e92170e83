# SPDX-License-Identifier: AGPL-3.0-or-later
"""How job attributes read on screen, shared by the staff pages and the public site."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import EmploymentType, JobStatus, SalaryPeriod, WorkModel

STATUS_LABELS = {
    JobStatus.DRAFT: _l("Draft"),
    JobStatus.PUBLISHED: _l("Published"),
    JobStatus.CLOSED: _l("Closed"),
}
EMPLOYMENT_TYPE_LABELS = {
    EmploymentType.FULL_TIME: _l("Full-time"),
    EmploymentType.PART_TIME: _l("Part-time"),
    EmploymentType.CONTRACTOR: _l("Contract"),
    EmploymentType.TEMPORARY: _l("Temporary"),
    EmploymentType.INTERN: _l("Internship"),
    EmploymentType.VOLUNTEER: _l("Volunteer"),
    EmploymentType.PER_DIEM: _l("Per diem"),
    EmploymentType.OTHER: _l("Other"),
}
WORK_MODEL_LABELS = {
    WorkModel.ON_SITE: _l("On-site"),
    WorkModel.HYBRID: _l("Hybrid"),
    WorkModel.REMOTE: _l("Remote"),
}
SALARY_PERIOD_LABELS = {
    SalaryPeriod.HOUR: _l("per hour"),
    SalaryPeriod.DAY: _l("per day"),
    SalaryPeriod.WEEK: _l("per week"),
    SalaryPeriod.MONTH: _l("per month"),
    SalaryPeriod.YEAR: _l("per year"),
}
