"""interview reviews, scorecards, comments, shortlists and their shares

Revision ID: 0008_reviews
Revises: 0007_pipeline
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_reviews'
down_revision = '0007_pipeline'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
