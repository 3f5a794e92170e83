# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the text of CVs stored before PDF text was extracted, so search finds their words."""

from __future__ import annotations

import logging

from app.applications.pdf_text import extract_pdf_text
from app.applications.uploads import MAX_CV_BYTES, MAX_CV_TEXT_CHARS, PDF, normalize_text
from app.core.extensions import db
from app.core.storage import get_storage
from app.models import Application

logger = logging.getLogger(__name__)


def pdf_cvs_without_text(after_id: int, limit: int) -> list[Application]:
    """Applications with a stored PDF CV and no text yet, by id, after ``after_id``."""
    return list(
        db.session.scalars(
            db.select(Application)
            .where(
                Application.id > after_id,
                Application.cv_key.is_not(None),
                Application.cv_content_type == PDF,
                Application.cv_text == "",
            )
            .order_by(Application.id)
            .limit(limit)
        )
    )


def fill_pdf_cv_text(application: Application) -> bool:
    """Read the text of the application's stored PDF CV into ``cv_text``; False when none could be read."""
    if not application.cv_key:
        return False
    with get_storage().open(application.cv_key) as stream:
        data = stream.read(MAX_CV_BYTES + 1)
    if len(data) > MAX_CV_BYTES:
        logger.warning("CV of application %s is larger than allowed; its text is not read", application.id)
        return False
    text = normalize_text(extract_pdf_text(data, max_chars=MAX_CV_TEXT_CHARS).text.splitlines())
    application.cv_text = text
    db.session.flush()
    return bool(text)
