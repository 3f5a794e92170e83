"""mfa and sessions: TOTP secrets and recovery codes, session network and authentication time,
the organization's MFA policy and internal staff e-mail domains

Revision ID: 0016_mfa_sessions
Revises: 0015_upload_tickets
Create Date: 2026-12-02 18:30:00

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0016_mfa_sessions"
down_revision = "0015_upload_tickets"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mfa_secret", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("mfa_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("mfa_last_step", sa.Integer(), nullable=True))

    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip_network", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mfa_policy", sa.String(length=10), server_default="off", nullable=False)
        )
        batch_op.add_column(sa.Column("staff_email_domains", sa.Text(), server_default="", nullable=False))

    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
    )
    with op.batch_alter_table("mfa_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mfa_recovery_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("mfa_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_recovery_codes_user_id"))
    op.drop_table("mfa_recovery_codes")

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("staff_email_domains")
        batch_op.drop_column("mfa_policy")

    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("authenticated_at")
        batch_op.drop_column("ip_network")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mfa_last_step")
        batch_op.drop_column("mfa_enabled_at")
        batch_op.drop_column("mfa_secret")
