"""upload tickets: the server's record of each key a staff member's browser may upload to

Revision ID: 0015_upload_tickets
Revises: 0014_outbox
Create Date: 2026-12-02 18:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_upload_tickets"
down_revision = "0014_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upload_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("issued_to_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_upload_tickets_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_to_id"],
            ["users.id"],
            name=op.f("fk_upload_tickets_issued_to_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_tickets")),
        sa.UniqueConstraint("key", name=op.f("uq_upload_tickets_key")),
    )
    with op.batch_alter_table("upload_tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_upload_tickets_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_upload_tickets_issued_to_id"), ["issued_to_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_upload_tickets_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("upload_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_tickets_expires_at"))
        batch_op.drop_index(batch_op.f("ix_upload_tickets_issued_to_id"))
        batch_op.drop_index(batch_op.f("ix_upload_tickets_organization_id"))

    op.drop_table("upload_tickets")
