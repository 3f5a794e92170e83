"""ambassadors, share links, referrals

Revision ID: 0010_advocacy
Revises: 0009_feedback
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_advocacy'
down_revision = '0009_feedback'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
