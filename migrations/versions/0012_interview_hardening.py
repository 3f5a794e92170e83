"""interviews: one open invitation per application, upload attempts

Revision ID: 0012_interview_hardening
Revises: 0011_voice
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_interview_hardening'
down_revision = '0011_voice'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
