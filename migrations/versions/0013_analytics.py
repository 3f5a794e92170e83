"""analytics: indexes for the live dashboards (no new tables; journey events stay append-only)

Revision ID: 0013_analytics
Revises: 0012_interview_hardening
Create Date: 2026-11-22 19:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_analytics'
down_revision = '0012_interview_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('journey_events', schema=None) as batch_op:
        batch_op.create_index('ix_journey_events_org_id', ['organization_id', 'id'], unique=False)
        batch_op.create_index(
            'ix_journey_events_org_type_sources',
            ['organization_id', 'type', 'occurred_at', 'channel', 'embed_host', 'utm_source', 'utm_medium',
             'utm_campaign', 'ambassador_code', 'job_id'],
            unique=False,
        )

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_org_submitted', ['organization_id', 'submitted_at'], unique=False)

    with op.batch_alter_table('application_stage_changes', schema=None) as batch_op:
        batch_op.create_index(
            'ix_application_stage_changes_org_changed', ['organization_id', 'changed_at'], unique=False
        )
        batch_op.create_index(
            'ix_application_stage_changes_org_to_stage', ['organization_id', 'to_stage', 'changed_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('application_stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_application_stage_changes_org_to_stage')
        batch_op.drop_index('ix_application_stage_changes_org_changed')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_org_submitted')

    with op.batch_alter_table('journey_events', schema=None) as batch_op:
        batch_op.drop_index('ix_journey_events_org_type_sources')
        batch_op.drop_index('ix_journey_events_org_id')
