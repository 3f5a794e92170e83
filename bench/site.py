# SPDX-License-Identifier: AGPL-3.0-or-later
"""A throwaway Openround site: a migrated SQLite database with one organization and its jobs."""

from __future__ import annotations

import contextlib
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

CITIES = [
    ("Milano", "Lombardia", "IT"),
    ("Torino", "Piemonte", "IT"),
    ("Bologna", "Emilia-Romagna", "IT"),
    ("Berlin", "Berlin", "DE"),
    ("Lisboa", "Lisboa", "PT"),
]
TITLES = [
    "Robotics engineer",
    "Embedded software developer",
    "Product designer",
    "Data engineer",
    "Site reliability engineer",
    "Technical writer",
    "Field service technician",
    "QA engineer",
    "Machine learning engineer",
    "Customer success manager",
]
DESCRIPTION = (
    "We build **autonomous warehouse robots** used by 40 companies in Europe.\n\n"
    "You will work with a small team that ships every week, reviews code kindly and "
    "measures what matters.\n\n- Mentoring from day one\n- A budget for books and conferences\n"
)


@dataclass(frozen=True)
class Site:
    """Where the throwaway site lives and what it holds."""

    workdir: Path
    database_url: str
    org_slug: str
    job_slugs: list[str]

    def environ(self, port: int) -> dict[str, str]:
        """The environment a server of this site runs with."""
        return {
            "DATABASE_URL": self.database_url,
            "STORAGE_LOCAL_PATH": str(self.workdir / "uploads"),
            "MAIL_OUTBOX_PATH": str(self.workdir / "outbox"),
            "JOBS_SQLITE_PATH": str(self.workdir / "jobs.sqlite3"),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "RATELIMIT_ENABLED": "false",
            "OPENROUND_ENV": "development",
            "JOBS_IMMEDIATE": "1",
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
        }


def build_site(workdir: Path, jobs: int = 20) -> Site:
    """Migrate a new SQLite database in ``workdir`` and seed an organization with published jobs."""
    from flask_migrate import upgrade

    from app import create_app
    from app.core.extensions import db
    from config import TestingConfig

    database_url = f"sqlite:///{workdir / 'bench.db'}"
    site = Site(workdir, database_url, "bench-robotics", [])
    app = create_app(TestingConfig(site.environ(port=0)))
    migration_log = io.StringIO()
    with app.app_context():
        try:
            # Alembic's progress lines would bury the table; shown only when a migration fails.
            with contextlib.redirect_stderr(migration_log), contextlib.redirect_stdout(migration_log):
                upgrade()
        except Exception:
            print(migration_log.getvalue())
            raise
        site.job_slugs.extend(seed_jobs(site.org_slug, jobs))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return site


def seed_jobs(org_slug: str, count: int) -> list[str]:
    """An organization with ``count`` published jobs, each in one or two locations; their slugs."""
    from app.core.extensions import db
    from app.models import EmploymentType, Job, JobLocation, JobStatus, SalaryPeriod, WorkModel
    from app.organizations.services import create_organization, slugify

    organization = create_organization("Bench Robotics", org_slug)
    slugs = []
    for number in range(count):
        title = TITLES[number % len(TITLES)]
        slug = f"{slugify(title)}-{secrets.token_hex(4)}"
        job = Job(
            organization_id=organization.id,
            slug=slug,
            title=title,
            team="Engineering" if number % 2 else "Operations",
            employment_type=EmploymentType.FULL_TIME,
            work_model=[WorkModel.ON_SITE, WorkModel.HYBRID, WorkModel.REMOTE][number % 3],
            salary_min=Decimal(40000 + 1000 * number),
            salary_max=Decimal(55000 + 1000 * number),
            salary_currency="EUR",
            salary_period=SalaryPeriod.YEAR,
            description_md=DESCRIPTION,
            responsibilities_md="- Design\n- Build\n- Measure",
            requirements_md="- Curiosity\n- Two years with Python or C++",
            perks_md="- Hybrid work\n- Meal vouchers",
            status=JobStatus.PUBLISHED,
            published_at=datetime.now(UTC),
        )
        for position, (city, region, country) in enumerate(CITIES[number % 5 : number % 5 + 1 + number % 2]):
            job.locations.append(JobLocation(city=city, region=region, country=country, position=position))
        db.session.add(job)
        slugs.append(slug)
    db.session.flush()
    return slugs
