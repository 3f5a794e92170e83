# SPDX-License-Identifier: AGPL-3.0-or-later
"""The embed snippet builder: options, snippets to paste and a live preview."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.decorators import roles_required
from app.embed import services as widgets
from app.marketing import bp
from app.marketing.forms import EmbedOptionsForm
from app.models import Role


@bp.get("/embed")
@roles_required(Role.ADMIN, Role.RECRUITER)
def embed():
    """Choose the widget's options and copy the snippet; the preview shows the real widget."""
    organization = current_user.organization
    form = EmbedOptionsForm(formdata=request.args or None)
    form.offer(**widgets.embed_choices(organization))
    valid = not request.args or form.validate()
    options = widgets.parse_widget_options(form.data) if valid else widgets.WidgetOptions()
    title = _("Jobs at %(name)s", name=organization.name)
    snippets = widgets.build_snippets(organization, options, title)
    status = 200 if valid else 400
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(snippets), status  # marketing.js refreshes the snippets while options change
    query: dict[str, Any] = dict(options.attributes())
    preview_frame = url_for("embed.frame", org_slug=organization.slug, **query)
    return render_template(
        "marketing/embed.html", form=form, options=options, preview_frame=preview_frame, **snippets
    ), status
