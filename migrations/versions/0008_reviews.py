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
    op.create_table('scorecard_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['interview_templates.id'], name=op.f('fk_scorecard_criteria_template_id_interview_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_criteria'))
    )
    with op.batch_alter_table('scorecard_criteria', schema=None) as batch_op:
        batch_op.create_index('ix_scorecard_criteria_template_position', ['template_id', 'position'], unique=False)

    op.create_table('shortlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shortlists_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_shortlists_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_shortlists_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlists'))
    )
    with op.batch_alter_table('shortlists', schema=None) as batch_op:
        batch_op.create_index('ix_shortlists_org_job', ['organization_id', 'job_id'], unique=False)

    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('mentions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_review_comments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_review_comments_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index('ix_review_comments_application_created', ['application_id', 'created_at'], unique=False)

    op.create_table('shortlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_shortlist_entries_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlists.id'], name=op.f('fk_shortlist_entries_shortlist_id_shortlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist_entries')),
    sa.UniqueConstraint('shortlist_id', 'application_id', name='uq_shortlist_entries_shortlist_application')
    )
    with op.batch_alter_table('shortlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_shortlist_entries_application', ['application_id'], unique=False)

    op.create_table('shortlist_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shortlist_shares_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlists.id'], name=op.f('fk_shortlist_shares_shortlist_id_shortlists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shortlist_shares_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist_shares')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_shortlist_shares_token_hash'))
    )
    with op.batch_alter_table('shortlist_shares', schema=None) as batch_op:
        batch_op.create_index('ix_shortlist_shares_shortlist', ['shortlist_id'], unique=False)
        batch_op.create_index('ix_shortlist_shares_user', ['user_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('share_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_key', sa.String(length=64), nullable=True),
    sa.Column('reviewer_name', sa.String(length=120), nullable=False),
    sa.Column('recommendation', sa.Enum('strong_no', 'no', 'yes', 'strong_yes', name='review_recommendation', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('overall_rating', sa.Double(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_reviews_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['interview_invitations.id'], name=op.f('fk_reviews_invitation_id_interview_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_reviews_organization_id_organizations')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['share_id'], ['shortlist_shares.id'], name=op.f('fk_reviews_share_id_shortlist_shares'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('invitation_id', 'reviewer_id', name='uq_reviews_invitation_reviewer'),
    sa.UniqueConstraint('invitation_id', 'share_id', 'reviewer_key', name='uq_reviews_invitation_share_key')
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_application', ['application_id'], unique=False)
        batch_op.create_index('ix_reviews_org_submitted', ['organization_id', 'submitted_at'], unique=False)

    op.create_table('answer_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_answer_ratings_rating_range')),
    sa.ForeignKeyConstraint(['answer_id'], ['interview_answers.id'], name=op.f('fk_answer_ratings_answer_id_interview_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_answer_ratings_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_ratings')),
    sa.UniqueConstraint('review_id', 'answer_id', name='uq_answer_ratings_review_answer')
    )
    with op.batch_alter_table('answer_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_answer_ratings_answer', ['answer_id'], unique=False)

    op.create_table('criterion_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_criterion_scores_score_range')),
    sa.ForeignKeyConstraint(['criterion_id'], ['scorecard_criteria.id'], name=op.f('fk_criterion_scores_criterion_id_scorecard_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_criterion_scores_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion_scores')),
    sa.UniqueConstraint('review_id', 'criterion_id', name='uq_criterion_scores_review_criterion')
    )
    with op.batch_alter_table('criterion_scores', schema=None) as batch_op:
        batch_op.create_index('ix_criterion_scores_criterion', ['criterion_id'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blind_review', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('blind_review')

    with op.batch_alter_table('criterion_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_criterion_scores_criterion')

    op.drop_table('criterion_scores')
    with op.batch_alter_table('answer_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_ratings_answer')

    op.drop_table('answer_ratings')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_org_submitted')
        batch_op.drop_index('ix_reviews_application')

    op.drop_table('reviews')
    with op.batch_alter_table('shortlist_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_shortlist_shares_user')
        batch_op.drop_index('ix_shortlist_shares_shortlist')

    op.drop_table('shortlist_shares')
    with op.batch_alter_table('shortlist_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_shortlist_entries_application')

    op.drop_table('shortlist_entries')
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_review_comments_application_created')

    op.drop_table('review_comments')
    with op.batch_alter_table('shortlists', schema=None) as batch_op:
        batch_op.drop_index('ix_shortlists_org_job')

    op.drop_table('shortlists')
    with op.batch_alter_table('scorecard_criteria', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecard_criteria_template_position')

    op.drop_table('scorecard_criteria')
