# SPDX-License-Identifier: AGPL-3.0-or-later
"""The application factory: a readable list of small ``register_*`` steps."""

from __future__ import annotations

import importlib

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, Config, config_for_environment


def create_app(config_class: type[Config] | Config | None = None) -> Flask:
    """Build an Openround app from a configuration class (or instance)."""
    config = load_config(config_class)
    config.validate()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config)
    app.config["ENV_NAME"] = config.ENV_NAME
    register_logging(app)
    register_proxy_fix(app)
    register_extensions(app)
    register_services(app)
    register_blueprints(app)
    register_signal_receivers()
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_config(config_class: type[Config] | Config | None) -> Config:
    """Instantiate the configuration; with none given, OPENROUND_ENV chooses."""
    if config_class is None:
        config_class = config_for_environment()
    return config_class() if isinstance(config_class, type) else config_class


def register_logging(app: Flask) -> None:
    """One logging configuration: readable text in development, JSON lines in production."""
    from app.core.logging import configure_logging

    configure_logging(app)


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as configured."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )


def register_extensions(app: Flask) -> None:
    """Bind database, migrations, login, CSRF, languages, rate limits and headers."""
    from app.auth.login import init_login
    from app.core import i18n
    from app.core.database import configure_engine
    from app.core.extensions import babel, csrf, db, limiter, login_manager, migrate
    from app.core.security_headers import init_security_headers

    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    init_login(app, login_manager)
    init_security_headers(app)


def register_services(app: Flask) -> None:
    """Password hashing, after-commit work, storage, mail and background jobs, each chosen by configuration."""
    from app.core import after_commit, jobs, mail, security, storage

    security.init_app(app)
    after_commit.init_app(app)
    storage.init_app(app)
    mail.init_app(app)
    jobs.init_app(app)


# The modules that attach views to each area's blueprint. Area packages hold only their
# blueprint, so importing an area's services never pulls in its views (or another area's).
ROUTE_MODULES = (
    "app.admin.routes",
    "app.advocacy.public",
    "app.advocacy.routes",
    "app.analytics.routes",
    "app.answering.routes",
    "app.api.routes",
    "app.applications.routes",
    "app.auth.account_routes",
    "app.auth.routes",
    "app.careers.routes",
    "app.dashboard.routes",
    "app.dev.routes",
    "app.embed.routes",
    "app.feedback.routes",
    "app.files.routes",
    "app.interviews.playback",
    "app.interviews.routes",
    "app.journey.routes",
    "app.marketing.routes",
    "app.pipeline.routes",
    "app.portal.routes",
    "app.postings.question_routes",
    "app.postings.routes",
    "app.profiles.routes",
    "app.reviews.routes",
    "app.system.routes",
    "app.voice.pulse_routes",
    "app.voice.routes",
    "app.voice.testimonial_routes",
)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area of the product, with its views attached here."""
    for module in ROUTE_MODULES:
        importlib.import_module(module)

    from app.admin import bp as admin_bp
    from app.advocacy import bp as advocacy_bp
    from app.advocacy import public_bp as advocacy_public_bp
    from app.analytics import bp as analytics_bp
    from app.answering import bp as answering_bp
    from app.api import bp as api_bp
    from app.applications import bp as applications_bp
    from app.auth import bp as auth_bp
    from app.careers import bp as careers_bp
    from app.dashboard import bp as dashboard_bp
    from app.dev import bp as dev_bp
    from app.embed import bp as embed_bp
    from app.feedback import bp as feedback_bp
    from app.files import bp as files_bp
    from app.interviews import bp as interviews_bp
    from app.journey import bp as journey_bp
    from app.marketing import bp as marketing_bp
    from app.pipeline import bp as pipeline_bp
    from app.portal import bp as portal_bp
    from app.postings import bp as postings_bp
    from app.profiles import bp as profiles_bp
    from app.reviews import bp as reviews_bp
    from app.system import bp as system_bp
    from app.voice import bp as voice_bp

    for blueprint in (
        system_bp,
        auth_bp,
        dashboard_bp,
        admin_bp,
        files_bp,
        postings_bp,
        careers_bp,
        api_bp,
        embed_bp,
        marketing_bp,
        journey_bp,
        applications_bp,
        portal_bp,
        interviews_bp,
        answering_bp,
        pipeline_bp,
        reviews_bp,
        feedback_bp,
        advocacy_bp,
        advocacy_public_bp,
        voice_bp,
        profiles_bp,
        analytics_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["DEV_OUTBOX_ENABLED"]:
        app.register_blueprint(dev_bp)


def register_signal_receivers() -> None:
    """Connect the areas that react to other areas' signals (declared in ``app/core/signals.py``)."""
    from app.core.signals import portal_notices_requested, stage_changed
    from app.interviews.invitations import pending_interview_notices
    from app.voice.services import offer_decision_survey, pending_survey_notices

    stage_changed.connect(offer_decision_survey)
    portal_notices_requested.connect(pending_interview_notices)
    portal_notices_requested.connect(pending_survey_notices)


def register_error_handlers(app: Flask) -> None:
    """HTML and JSON answers for every error status."""
    from app.core.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Globals the templates need to present (never to query)."""
    from app.core.templating import init_templating

    init_templating(app)


def register_commands(app: Flask) -> None:
    """``flask org``, ``flask user`` and ``flask seed-demo``."""
    from app.cli import register_cli

    register_cli(app)
