# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every signal one area sends for other areas to hear, declared in one place.

An area that must react to another connects a receiver in ``register_signal_receivers``
(``app/__init__.py``); the sender never imports the receivers, so areas stay free of cycles.
Receivers run synchronously inside the sender's transaction: they add and flush, never commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: An application moved to another pipeline stage. Sender: the Application; keyword
#: arguments ``from_key`` (None for the first stage), ``to_key`` and ``actor`` (User or None).
stage_changed = _signals.signal("stage-changed")

#: The candidate portal asks what waits for a candidate. Sender: the Candidate; keyword
#: argument ``section`` ("invitations" or "messages"). Receivers return a list of
#: ``PortalNotice`` for that section (an empty list when they have nothing there).
portal_notices_requested = _signals.signal("portal-notices-requested")
