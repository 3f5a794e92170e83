# SPDX-License-Identifier: AGPL-3.0-or-later
"""Access rules for staff views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.services import needs_reauthentication
from app.models import Role, User


def actor() -> User:
    """The signed-in staff member as a plain model instance, to hand to services."""
    return current_user._get_current_object()


def roles_required(*roles: Role) -> Callable:
    """Signed-in staff with one of ``roles``; others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN)


def recent_authentication_required(return_to: str | None = None) -> Callable:
    """Signed-in staff who proved who they are within REAUTHENTICATION_WINDOW; others confirm first.

    A GET comes back to itself after the confirmation; a POST (a button somewhere) comes back to
    the page named by ``return_to``, where the person presses the button again.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            window = current_app.config["REAUTHENTICATION_WINDOW"]
            if needs_reauthentication(current_user.current_session, window):
                target = (
                    request.full_path if request.method == "GET" else url_for(return_to or "auth.security")
                )
                flash(_("Confirm it is you to continue."), "info")
                return redirect(url_for("auth.reauthenticate", next=target.rstrip("?")))
            return view(*args, **kwargs)

        return wrapped

    return decorator
