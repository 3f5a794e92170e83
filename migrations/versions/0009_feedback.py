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
    op.create_table('message_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('stage_key', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_message_templates_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates')),
    sa.UniqueConstraint('organization_id', 'stage_key', 'reason', 'language', name='uq_message_templates_org_stage_reason_language')
    )
    op.create_table('candidate_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('stage_key', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('feedback', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_candidate_messages_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_candidate_messages_organization_id_organizations')),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_candidate_messages_sender_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_messages'))
    )
    with op.batch_alter_table('candidate_messages', schema=None) as batch_op:
        batch_op.create_index('ix_candidate_messages_application_sent', ['application_id', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_candidate_messages_organization_id'), ['organization_id'], unique=False)

    op.create_table('response_digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('application_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_response_digests_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_response_digests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_digests')),
    sa.UniqueConstraint('user_id', 'sent_on', name='uq_response_digests_user_day')
    )
    with op.batch_alter_table('response_digests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_digests_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_promise_days', sa.Integer(), server_default='10', nullable=False))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('response_promise_days')

    with op.batch_alter_table('candidate_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_messages_organization_id'))
        batch_op.drop_index('ix_candidate_messages_application_sent')

    with op.batch_alter_table('response_digests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_digests_organization_id'))

    op.drop_table('response_digests')
    op.drop_table('candidate_messages')
    op.drop_table('message_templates')
