# SPDX-License-Identifier: AGPL-3.0-or-later
"""Domain errors raised by services, and the HTML/JSON handlers that answer them."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.extensions import db


class DomainError(Exception):
    """A rule of the product was broken; carries an HTTP status and a user message."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """The input is well-formed but breaks a rule (reported next to ``field``)."""

    status_code = 400


class PermissionDenied(DomainError):
    """The acting user may not do this."""

    status_code = 403


class NotFound(DomainError):
    """No such record within the acting user's organization."""

    status_code = 404


class Conflict(DomainError):
    """The action clashes with the current state (duplicate, already done)."""

    status_code = 409


class Gone(DomainError):
    """The thing existed but is no longer available (expired link, closed job)."""

    status_code = 410


HANDLED_STATUSES = (400, 403, 404, 405, 409, 410, 413, 429, 500, 503)
RETRY_AFTER_SECONDS = 30

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    410: _l("No longer available"),
    413: _l("File too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}

DESCRIPTIONS = {
    400: _l("The request could not be understood. Check what you sent and try again."),
    403: _l("You do not have permission to do this."),
    404: _l("We could not find what you were looking for."),
    405: _l("This address does not accept that kind of request."),
    409: _l("This clashes with something that already exists or has already happened."),
    410: _l("This link has expired or the page was removed."),
    413: _l("The upload is larger than allowed."),
    429: _l("You have made too many attempts. Please wait a few minutes and try again."),
    500: _l("An unexpected error happened on our side. It has been logged; please try again."),
    503: _l(
        "A service we depend on is briefly unavailable. Nothing you already sent was lost. "
        "Please try again in a minute."
    ),
}


def wants_json() -> bool:
    """JSON for API paths and for clients that prefer it over HTML."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, message: str | None = None):
    """Render an error as JSON or as the HTML error page."""
    title = str(TITLES.get(status, TITLES[400 if status < 500 else 500]))
    message = message or str(DESCRIPTIONS.get(status, DESCRIPTIONS[400 if status < 500 else 500]))
    if wants_json():
        return make_response(jsonify(error={"status": status, "title": title, "message": message}), status)
    return make_response(
        render_template("errors/error.html", status=status, title=title, message=message), status
    )


def handle_http_exception(error: HTTPException):
    """Werkzeug's HTTP errors (abort(404), 405, 413, ...) as our pages."""
    if error.code is None or error.code < 400:
        return error
    message = None
    if error.code in (400, 409, 410) and error.description and error.description != type(error).description:
        message = error.description
    response = error_response(error.code, message)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_domain_error(error: DomainError):
    """A service refused the action: tell the user why."""
    db.session.rollback()
    return error_response(error.status_code, error.message)


def handle_csrf_error(error: CSRFError):
    """A form without a valid CSRF token: usually an expired page."""
    return error_response(400, str(_l("The form has expired. Reload the page and try again.")))


def handle_rate_limit(error: HTTPException):
    """Flask-Limiter's 429, as a page that says to wait."""
    return error_response(429)


def handle_server_error(error: Exception):
    """Roll back whatever the request did and show a page without internals."""
    try:
        db.session.rollback()
    except Exception:  # the database itself may be what failed
        db.session.remove()
    original = getattr(error, "original_exception", None) or error
    if is_outage(original):
        from flask import current_app

        current_app.logger.warning("Dependency unavailable: %s", original)
        return outage_response()
    if not isinstance(original, InternalServerError):
        from flask import current_app

        current_app.logger.exception("Unhandled error", exc_info=original)
    return error_response(500)


def is_outage(error: BaseException) -> bool:
    """Whether an exception means a dependency (database, queue, storage endpoint) is unreachable."""
    if isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return True
    if isinstance(error, OSError):  # local storage: a missing mount, a full or read-only disk
        return True
    names = {cls.__name__ for cls in type(error).__mro__}
    # redis.ConnectionError / TimeoutError, botocore's BotoCoreError (EndpointConnectionError...)
    return bool(names & {"ConnectionError", "TimeoutError", "BotoCoreError", "ReadTimeoutError"})


def outage_response():
    """503 with Retry-After and a page that says nothing was lost."""
    response = error_response(503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register_error_handlers(app: Flask) -> None:
    """Answer every error with a page or a JSON body, never a stack trace."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(429, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(500, handle_server_error)
    app.register_error_handler(Exception, handle_server_error)
