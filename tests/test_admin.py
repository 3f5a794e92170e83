# SPDX-License-Identifier: AGPL-3.0-or-later
"""Administrators invite colleagues, change roles, deactivate, and brand the organization."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import timedelta

import pytest

from app.core.errors import PermissionDenied
from app.core.extensions import db
from app.core.storage import get_storage
from app.models import AuditEvent, AuthToken, Organization, Role, User, utcnow
from app.retention.services import update_retention_policy
from tests.factories import make_organization, make_user
from tests.helpers import link_in_mail, login, logout, sent_mail, submit, text_of


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _admin_and_org(app):
    with app.app_context():
        organization = make_organization(name="Acme")
        make_user(organization, Role.ADMIN, email="admin@example.com", name="Ada Admin")
        db.session.commit()
        return organization.id


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def test_invitation_flow_from_mail_to_dashboard(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    response = submit(
        client,
        "/admin/users",
        {"name": "Marco Manager", "email": "marco@example.com", "role": "manager"},
        action="/admin/users/invite",
    )
    assert response.status_code == 302
    page = text_of(client.get("/admin/users"))
    assert "Invitation sent to marco@example.com" in page
    assert "Invited, link valid until" in page
    assert "Marco Manager" in text_of(client.get("/app/"))  # pending invitations on the dashboard

    message = sent_mail(app)[0]
    assert message.to == "marco@example.com"
    assert "Ada Admin invited you to Acme" in message.subject
    assert "Acme" in (message.html or "")
    link = link_in_mail(app, "marco@example.com", "invitation/")

    invitee = app.test_client()
    form = invitee.get(link)
    assert form.status_code == 200 and "marco@example.com" in text_of(form)
    weak = submit(invitee, link, {"name": "Marco", "password": "123456789012", "confirm": "123456789012"})
    assert weak.status_code == 400
    accepted = submit(
        invitee,
        link,
        {"name": "Marco M.", "password": "harbor-cobalt-fern-2041", "confirm": "harbor-cobalt-fern-2041"},
    )
    assert accepted.status_code == 302
    dashboard = text_of(invitee.get("/app/"))
    assert "Welcome, Marco M." in dashboard
    assert invitee.get("/admin/users").status_code == 403
    assert invitee.get(link).status_code == 410


def test_expired_invitation_is_gone_and_can_be_resent(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    submit(
        client,
        "/admin/users",
        {"name": "Late", "email": "late@example.com", "role": "employee"},
        action="/admin/users/invite",
    )
    old_link = link_in_mail(app, "late@example.com", "invitation/")
    with app.app_context():
        for token in db.session.scalars(db.select(AuthToken)):
            token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert app.test_client().get(old_link).status_code == 410
    assert "Invitation expired" in text_of(client.get("/admin/users"))
    late_id = _user_id(app, "late@example.com")
    assert submit(client, "/admin/users", {}, action=f"/admin/users/{late_id}/resend").status_code == 302
    new_link = link_in_mail(app, "late@example.com", "invitation/")
    assert new_link != old_link
    assert app.test_client().get(new_link).status_code == 200


def test_invite_errors_keep_what_was_typed(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    duplicate = submit(
        client,
        "/admin/users",
        {"name": "Again", "email": "admin@example.com", "role": "recruiter"},
        action="/admin/users/invite",
    )
    assert duplicate.status_code == 409
    body = text_of(duplicate)
    assert "already exists" in body and 'value="Again"' in body
    malformed = submit(
        client,
        "/admin/users",
        {"name": "Bad", "email": "not-an-email", "role": "recruiter"},
        action="/admin/users/invite",
    )
    assert malformed.status_code == 400
    assert 'value="not-an-email"' in text_of(malformed)
    bad_role = submit(
        client,
        "/admin/users",
        {"name": "Bad", "email": "b@example.com", "role": "overlord"},
        action="/admin/users/invite",
    )
    assert bad_role.status_code == 400


def test_role_change_and_last_admin_protection(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    admin_id = _user_id(app, "admin@example.com")
    refused = submit(client, "/admin/users", {"role": "recruiter"}, action=f"/admin/users/{admin_id}/role")
    assert refused.status_code == 409
    assert "at least one active administrator" in text_of(refused)
    with app.app_context():
        organization = db.session.scalar(db.select(Organization))
        make_user(organization, Role.EMPLOYEE, email="emma@example.com")
        db.session.commit()
    emma_id = _user_id(app, "emma@example.com")
    assert (
        submit(client, "/admin/users", {"role": "admin"}, action=f"/admin/users/{emma_id}/role").status_code
        == 302
    )
    assert (
        submit(
            client, "/admin/users", {"role": "recruiter"}, action=f"/admin/users/{admin_id}/role"
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(User, emma_id).role == Role.ADMIN
        assert db.session.get(User, admin_id).role == Role.RECRUITER


def test_admins_cannot_touch_another_organizations_staff(app, client):
    _admin_and_org(app)
    with app.app_context():
        other = make_organization(name="Other")
        make_user(other, Role.RECRUITER, email="outsider@example.com")
        db.session.commit()
    outsider_id = _user_id(app, "outsider@example.com")
    login(client, "admin@example.com")
    assert "outsider@example.com" not in text_of(client.get("/admin/users"))
    for action in ("deactivate", "reactivate", "resend"):
        assert (
            submit(client, "/admin/users", {}, action=f"/admin/users/{outsider_id}/{action}").status_code
            == 404
        )
    assert (
        submit(
            client, "/admin/users", {"role": "admin"}, action=f"/admin/users/{outsider_id}/role"
        ).status_code
        == 404
    )
    with app.app_context():
        outsider = db.session.get(User, outsider_id)
        assert outsider.active and outsider.role == Role.RECRUITER


def test_non_admins_get_403(app, client):
    with app.app_context():
        make_user(make_organization(), Role.RECRUITER, email="rec@example.com")
        db.session.commit()
    login(client, "rec@example.com")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/organization").status_code == 403
    assert 'href="/admin/users"' not in text_of(client.get("/app/"))


def test_reactivation_lets_a_colleague_back_in(app, client):
    _admin_and_org(app)
    with app.app_context():
        make_user(db.session.scalar(db.select(Organization)), Role.MANAGER, email="m@example.com")
        db.session.commit()
    manager_id = _user_id(app, "m@example.com")
    login(client, "admin@example.com")
    submit(client, "/admin/users", {}, action=f"/admin/users/{manager_id}/deactivate")
    assert login(app.test_client(), "m@example.com").status_code == 401
    submit(client, "/admin/users", {}, action=f"/admin/users/{manager_id}/reactivate")
    assert login(app.test_client(), "m@example.com").status_code == 302
    own = submit(
        client, "/admin/users", {}, action=f"/admin/users/{_user_id(app, 'admin@example.com')}/deactivate"
    )
    assert own.status_code == 400


def test_branding_and_logo(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    response = submit(
        client,
        "/admin/organization",
        {
            "name": "Acme Italia",
            "primary_color": "#112233",
            "accent_color": "#AABBCC",
            "default_language": "it",
            "logo": (io.BytesIO(tiny_png()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        organization = db.session.scalar(db.select(Organization))
        assert (organization.name, organization.primary_color, organization.accent_color) == (
            "Acme Italia",
            "#112233",
            "#aabbcc",
        )
        assert organization.default_language == "it"
        assert organization.logo_content_type == "image/png"
        slug = organization.slug
    page = text_of(client.get("/app/"))
    assert "--brand: #112233" in page
    logo = client.get(f"/brand/{slug}/logo")
    assert logo.status_code == 302
    served = client.get(logo.headers["Location"])
    assert served.status_code == 200 and served.data == tiny_png()


def test_branding_refuses_bad_input_and_keeps_it(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    bad_color = submit(
        client,
        "/admin/organization",
        {
            "name": "Acme",
            "primary_color": "red;}</style><script>",
            "accent_color": "#aabbcc",
            "default_language": "en",
        },
    )
    assert bad_color.status_code == 400
    assert "#rrggbb" in text_of(bad_color)
    assert "<script>" not in text_of(bad_color)
    fake_logo = submit(
        client,
        "/admin/organization",
        {
            "name": "Acme",
            "primary_color": "#112233",
            "accent_color": "#aabbcc",
            "default_language": "en",
            "logo": (io.BytesIO(b"<?php echo 1; ?>"), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert fake_logo.status_code == 400
    assert "must be a PNG, JPEG or WebP" in text_of(fake_logo)
    with app.app_context():
        organization = db.session.scalar(db.select(Organization))
        assert organization.logo_key is None and organization.primary_color != "#112233"


def test_logout_then_admin_pages_need_login(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    logout(client)
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_career_site_intro_and_video(app, client, tiny_webm):
    _admin_and_org(app)
    login(client, "admin@example.com")
    fields = {"name": "Acme", "primary_color": "#112233", "accent_color": "#aabbcc", "default_language": "en"}
    saved = submit(client, "/admin/organization", {**fields, "career_intro_md": "We build **robots**."})
    assert saved.status_code == 302
    fake = submit(
        client,
        "/admin/organization",
        {**fields, "career_video": (io.BytesIO(b"<html>not a video</html>"), "intro.mp4")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "WebM or MP4" in text_of(fake)
    with app.app_context():
        organization = db.session.scalar(db.select(Organization))
        assert (
            organization.career_intro_md == "We build **robots**." and organization.career_video_key is None
        )
    uploaded = submit(
        client,
        "/admin/organization",
        {
            **fields,
            "career_intro_md": "We build **robots**.",
            "career_video": (io.BytesIO(tiny_webm), "intro.webm"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    with app.app_context():
        key = db.session.scalar(db.select(Organization)).career_video_key
        assert key and re.match(r"orgs/\d+/career-videos/", key)
    removed = submit(
        client, "/admin/organization", {**fields, "career_intro_md": "x", "remove_career_video": "y"}
    )
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Organization)).career_video_key is None
        assert get_storage().stat(key) is None


RETENTION = "/admin/organization/retention"


def test_admins_set_how_long_candidates_data_is_kept(app, client):
    _admin_and_org(app)
    login(client, "admin@example.com")
    page = text_of(client.get("/admin/organization"))
    assert f'action="{RETENTION}"' in page and 'value="180"' in page and 'value="365"' in page

    response = submit(
        client,
        "/admin/organization",
        {"retention_days": "90", "talent_pool_retention_days": "400", "retention_action": "anonymize"},
        action=RETENTION,
    )

    assert response.status_code == 302
    with app.app_context():
        organization = db.session.scalar(db.select(Organization))
        assert (
            organization.retention_days,
            organization.talent_pool_retention_days,
            organization.retention_action,
        ) == (90, 400, "anonymize")
        event = db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "organization.retention_updated")
        )
        assert event.details == {
            "retention_days": 90,
            "talent_pool_retention_days": 400,
            "retention_action": "anonymize",
        }
    page = text_of(client.get("/admin/organization"))
    assert 'value="90"' in page and '<option selected value="anonymize">' in page


@pytest.mark.parametrize(
    ("retention_days", "talent_pool_days", "action", "message"),
    [
        ("29", "365", "delete", "Choose between 30 and 3650 days."),
        ("180", "3651", "delete", "Choose between 30 and 3650 days."),
        ("200", "150", "delete", "Keep the talent pool at least as long as other candidates."),
        ("soon", "365", "delete", "Not a valid integer value."),
        ("180", "365", "shred", "Not a valid choice."),
    ],
)
def test_retention_settings_refuse_bad_input_and_keep_it(
    app, client, retention_days, talent_pool_days, action, message
):
    _admin_and_org(app)
    login(client, "admin@example.com")

    response = submit(
        client,
        "/admin/organization",
        {
            "retention_days": retention_days,
            "talent_pool_retention_days": talent_pool_days,
            "retention_action": action,
        },
        action=RETENTION,
    )

    page = text_of(response)
    assert response.status_code == 400
    assert message in page and 'class="field-error"' in page
    assert f'value="{retention_days}"' in page and f'value="{talent_pool_days}"' in page
    assert 'value="Acme"' in page  # the branding form beside it still shows the saved values
    with app.app_context():
        organization = db.session.scalar(db.select(Organization))
        assert (organization.retention_days, organization.talent_pool_retention_days) == (180, 365)
        assert organization.retention_action == "delete"


def test_only_admins_change_the_retention_settings(app, client):
    with app.app_context():
        organization = make_organization()
        make_user(organization, Role.RECRUITER, email="rec@example.com")
        db.session.commit()
    login(client, "rec@example.com")
    data = {"retention_days": "30", "talent_pool_retention_days": "30", "retention_action": "delete"}
    assert submit(client, "/app/", data, action=RETENTION).status_code == 403
    with app.app_context():
        recruiter = db.session.scalar(db.select(User).where(User.email == "rec@example.com"))
        with pytest.raises(PermissionDenied):
            update_retention_policy(
                recruiter, retention_days=30, talent_pool_retention_days=30, action="delete"
            )
        assert db.session.scalar(db.select(Organization)).retention_days == 180
