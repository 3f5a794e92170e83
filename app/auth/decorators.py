"""Access rules for staff views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

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
