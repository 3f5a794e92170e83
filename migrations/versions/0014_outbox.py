"""outbox: mail, jobs and webhooks delivered from rows committed with their cause; job locks; heartbeats; pending files

Revision ID: 0014_outbox
Revises: 0013_analytics
Create Date: 2026-12-02 18:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_outbox'
down_revision = '0013_analytics'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column(
            'kind',
            sa.Enum('mail', 'job', 'webhook', name='outbox_kind', native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column(
            'status',
            sa.Enum(
                'pending', 'delivering', 'delivered', 'failed',
                name='outbox_status', native_enum=False, create_constraint=True, length=20,
            ),
            nullable=False,
        ),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('retry_delay', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('locked_by', sa.String(length=100), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['organization_id'], ['organizations.id'],
            name=op.f('fk_outbox_messages_organization_id_organizations'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key')),
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_organization_id'), ['organization_id'], unique=False)

    op.create_table(
        'job_locks',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('holder', sa.String(length=100), nullable=True),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_slot', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_locks')),
    )
    op.create_table(
        'worker_heartbeats',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats')),
    )
    op.create_table(
        'pending_files',
        sa.Column('key', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_pending_files')),
    )
    with op.batch_alter_table('pending_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_files_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_files_created_at'))
    op.drop_table('pending_files')
    op.drop_table('worker_heartbeats')
    op.drop_table('job_locks')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_organization_id'))
        batch_op.drop_index('ix_outbox_messages_status_next')
    op.drop_table('outbox_messages')
