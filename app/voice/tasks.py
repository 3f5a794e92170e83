# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background work of the voice area: opening scheduled pulses and sending their reminder."""

from __future__ import annotations

import logging

from huey import crontab

from app.core.extensions import db
from app.core.jobs import periodic_job
from app.voice.pulses import open_due_pulses, send_due_reminders

logger = logging.getLogger(__name__)


@periodic_job(crontab(minute="7"))
def run_pulse_schedule() -> None:
    """Every hour: open the pulses whose day has come, then send due reminders."""
    opened = open_due_pulses()
    reminded = send_due_reminders()
    db.session.commit()
    if opened or reminded:
        logger.info("Pulse surveys: %d opened, %d reminded", opened, reminded)
