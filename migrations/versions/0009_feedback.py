"""messages to candidates, message templates, response promise

Revision ID: 0009_feedback
Revises: 0008_reviews
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_feedback'
down_revision = '0008_reviews'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
