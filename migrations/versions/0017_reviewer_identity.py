"""reviewer identity: an outside share link belongs to one reviewer (the first to give their name)

Revision ID: 0017_reviewer_identity
Revises: 0016_mfa_sessions
Create Date: 2026-12-02 18:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_reviewer_identity'
down_revision = '0016_mfa_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shortlist_shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewer_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('reviewer_key_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reviewer_joined_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('shortlist_shares', schema=None) as batch_op:
        batch_op.drop_column('reviewer_joined_at')
        batch_op.drop_column('reviewer_key_hash')
        batch_op.drop_column('reviewer_name')
