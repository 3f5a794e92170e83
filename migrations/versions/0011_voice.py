"""candidate and employee surveys (cNPS, eNPS), employee profiles

Revision ID: 0011_voice
Revises: 0010_advocacy
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_voice'
down_revision = '0010_advocacy'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
