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
    op.create_table('advocacy_settings',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('points_share', sa.Integer(), nullable=False),
    sa.Column('points_click', sa.Integer(), nullable=False),
    sa.Column('points_application', sa.Integer(), nullable=False),
    sa.Column('points_hire', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_advocacy_settings_organization_id_organizations')),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_advocacy_settings'))
    )
    op.create_table('ambassadors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('leaderboard', sa.Enum('named', 'anonymous', 'hidden', name='ambassador_leaderboard', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ambassadors_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ambassadors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ambassadors')),
    sa.UniqueConstraint('code', name=op.f('uq_ambassadors_code')),
    sa.UniqueConstraint('user_id', name=op.f('uq_ambassadors_user_id'))
    )
    with op.batch_alter_table('ambassadors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ambassadors_organization_id'), ['organization_id'], unique=False)

    op.create_table('ambassador_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('ambassador_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ambassador_id'], ['ambassadors.id'], name=op.f('fk_ambassador_shares_ambassador_id_ambassadors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_ambassador_shares_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ambassador_shares_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ambassador_shares')),
    sa.UniqueConstraint('ambassador_id', 'job_id', 'channel', 'day', name='uq_ambassador_shares_ambassador_job_channel_day')
    )
    with op.batch_alter_table('ambassador_shares', schema=None) as batch_op:
        batch_op.create_index('ix_ambassador_shares_org_created', ['organization_id', 'created_at'], unique=False)

    op.create_table('share_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('ambassador_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ambassador_id'], ['ambassadors.id'], name=op.f('fk_share_links_ambassador_id_ambassadors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_share_links_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_share_links_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('ambassador_id', 'job_id', 'channel', name='uq_share_links_ambassador_job_channel'),
    sa.UniqueConstraint('code', name=op.f('uq_share_links_code'))
    )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.create_index('ix_share_links_job', ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_links_organization_id'), ['organization_id'], unique=False)

    op.create_table('share_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_share_texts_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_share_texts_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_texts')),
    sa.UniqueConstraint('organization_id', 'job_id', 'language', name='uq_share_texts_org_job_language')
    )
    with op.batch_alter_table('share_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_texts_organization_id'), ['organization_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('ambassador_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'declined', 'expired', name='referral_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ambassador_id'], ['ambassadors.id'], name=op.f('fk_referrals_ambassador_id_ambassadors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_referrals_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_referrals_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_referrals_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_referrals_token_hash'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_ambassador_created', ['ambassador_id', 'created_at'], unique=False)
        batch_op.create_index('ix_referrals_job', ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_referrals_status_created', ['status', 'created_at'], unique=False)

    op.create_table('share_clicks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('share_link_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('visitor_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_share_clicks_organization_id_organizations')),
    sa.ForeignKeyConstraint(['share_link_id'], ['share_links.id'], name=op.f('fk_share_clicks_share_link_id_share_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_clicks'))
    )
    with op.batch_alter_table('share_clicks', schema=None) as batch_op:
        batch_op.create_index('ix_share_clicks_link_visitor', ['share_link_id', 'visitor_hash'], unique=False)
        batch_op.create_index('ix_share_clicks_org_occurred', ['organization_id', 'occurred_at'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_touch', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('first_touch')

    with op.batch_alter_table('share_clicks', schema=None) as batch_op:
        batch_op.drop_index('ix_share_clicks_org_occurred')
        batch_op.drop_index('ix_share_clicks_link_visitor')

    op.drop_table('share_clicks')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_status_created')
        batch_op.drop_index(batch_op.f('ix_referrals_organization_id'))
        batch_op.drop_index('ix_referrals_job')
        batch_op.drop_index('ix_referrals_ambassador_created')

    op.drop_table('referrals')
    with op.batch_alter_table('share_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_texts_organization_id'))

    op.drop_table('share_texts')
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_links_organization_id'))
        batch_op.drop_index('ix_share_links_job')

    op.drop_table('share_links')
    with op.batch_alter_table('ambassador_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_ambassador_shares_org_created')

    op.drop_table('ambassador_shares')
    with op.batch_alter_table('ambassadors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ambassadors_organization_id'))

    op.drop_table('ambassadors')
    op.drop_table('advocacy_settings')
