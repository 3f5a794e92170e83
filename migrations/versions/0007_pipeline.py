"""pipeline stages per organization, application tags

Revision ID: 0007_pipeline
Revises: 0006_interviews
Create Date: 2026-11-22 19:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_pipeline'
down_revision = '0006_interviews'
branch_labels = None
depends_on = None

DEFAULT_STAGES = [
    ("new", "open"),
    ("interview_invited", "open"),
    ("interview_completed", "open"),
    ("shortlisted", "open"),
    ("manager_review", "open"),
    ("offer", "open"),
    ("hired", "hired"),
    ("rejected", "rejected"),
    ("withdrawn", "withdrawn"),
]
STAGE_KINDS = ("open", "hired", "rejected", "withdrawn")


def upgrade():
    stages = op.create_table(
        'pipeline_stages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*STAGE_KINDS, name='pipeline_stage_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('archived', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organization_id', 'key', name='uq_pipeline_stages_organization_key'),
    )
    op.create_index('ix_pipeline_stages_organization_position', 'pipeline_stages', ['organization_id', 'position'], unique=False)

    connection = op.get_bind()
    organization_ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM organizations"))]
    now = datetime.now(timezone.utc)
    rows = [
        {"organization_id": org_id, "key": key, "name": "", "position": position, "kind": kind,
         "archived": False, "created_at": now}
        for org_id in organization_ids
        for position, (key, kind) in enumerate(DEFAULT_STAGES)
    ]
    if rows:
        op.bulk_insert(stages, rows)

    # Stages become keys of the organization's pipeline: a plain string, no fixed list.
    # Screening knock-outs stay "new" with their flag: a person decides, not the form.
    with op.batch_alter_table('applications') as batch_op:
        batch_op.drop_constraint('application_stage', type_='check')
        batch_op.alter_column('stage', existing_type=sa.String(length=20), type_=sa.String(length=40), existing_nullable=False)
    connection.execute(sa.text("UPDATE applications SET stage = 'new' WHERE stage = 'not_a_fit'"))

    # Tags recruiters put on applications (pipeline list filters and bulk actions).
    op.create_table(
        'tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_tags_organization_id_organizations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
        sa.UniqueConstraint('organization_id', 'name', name='uq_tags_organization_name'),
    )
    op.create_table(
        'application_tags',
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_tags_application_id_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_application_tags_tag_id_tags'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('application_id', 'tag_id', name=op.f('pk_application_tags')),
    )
    op.create_index('ix_application_tags_tag', 'application_tags', ['tag_id'], unique=False)


def downgrade():
    op.drop_index('ix_application_tags_tag', table_name='application_tags')
    op.drop_table('application_tags')
    op.drop_table('tags')

    connection = op.get_bind()
    connection.execute(sa.text(
        "UPDATE applications SET stage = 'new' WHERE stage NOT IN ('new', 'withdrawn', 'rejected', 'hired')"
    ))
    connection.execute(sa.text("UPDATE applications SET stage = 'not_a_fit' WHERE stage IN ('rejected', 'hired')"))
    with op.batch_alter_table('applications') as batch_op:
        batch_op.alter_column('stage', existing_type=sa.String(length=40), type_=sa.String(length=20), existing_nullable=False)
        batch_op.create_check_constraint('application_stage', "stage IN ('new', 'not_a_fit', 'withdrawn')")
    op.drop_index('ix_pipeline_stages_organization_position', table_name='pipeline_stages')
    op.drop_table('pipeline_stages')
