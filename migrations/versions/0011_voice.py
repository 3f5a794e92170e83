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
    op.create_table('survey_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('after_applying', sa.Boolean(), nullable=False),
    sa.Column('after_interview', sa.Boolean(), nullable=False),
    sa.Column('after_decision', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_survey_settings_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_settings')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_survey_settings_organization_id'))
    )
    op.create_table('employee_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_employee_profiles_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_employee_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_employee_profiles_user_id'))
    )
    op.create_index(op.f('ix_employee_profiles_organization_id'), 'employee_profiles', ['organization_id'], unique=False)
    op.create_table('pulses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('audience', sa.Enum('employees', 'all_staff', name='pulse_audience', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('reminder_on', sa.Date(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pulses_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_pulses_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulses'))
    )
    op.create_index('ix_pulses_organization_opens', 'pulses', ['organization_id', 'opens_on'], unique=False)
    op.create_table('profile_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('skill', 'language', 'interest', name='profile_item_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('visibility', sa.Enum('private', 'hr', 'everyone', name='profile_visibility', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['employee_profiles.id'], name=op.f('fk_profile_items_profile_id_employee_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_items'))
    )
    op.create_index('ix_profile_items_profile_kind', 'profile_items', ['profile_id', 'kind'], unique=False)
    op.create_table('pulse_participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pulse_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['pulse_id'], ['pulses.id'], name=op.f('fk_pulse_participations_pulse_id_pulses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pulse_participations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_participations')),
    sa.UniqueConstraint('pulse_id', 'user_id', name='uq_pulse_participations_pulse_user'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pulse_participations_token_hash'))
    )
    op.create_index(op.f('ix_pulse_participations_user_id'), 'pulse_participations', ['user_id'], unique=False)
    op.create_table('pulse_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pulse_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 10', name=op.f('ck_pulse_responses_score_range')),
    sa.ForeignKeyConstraint(['pulse_id'], ['pulses.id'], name=op.f('fk_pulse_responses_pulse_id_pulses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_responses'))
    )
    op.create_index(op.f('ix_pulse_responses_pulse_id'), 'pulse_responses', ['pulse_id'], unique=False)
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('touchpoint', sa.Enum('applied', 'interview', 'decision', name='survey_touchpoint', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_survey_invitations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_survey_invitations_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('application_id', 'touchpoint', name='uq_survey_invitations_application_touchpoint'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash'))
    )
    op.create_index(op.f('ix_survey_invitations_organization_id'), 'survey_invitations', ['organization_id'], unique=False)
    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('touchpoint', sa.Enum('applied', 'interview', 'decision', name='survey_touchpoint', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 10', name=op.f('ck_survey_responses_score_range')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_survey_responses_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_survey_responses_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_survey_responses_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses'))
    )
    op.create_index(op.f('ix_survey_responses_application_id'), 'survey_responses', ['application_id'], unique=False)
    op.create_index(op.f('ix_survey_responses_job_id'), 'survey_responses', ['job_id'], unique=False)
    op.create_index('ix_survey_responses_org_touchpoint_day', 'survey_responses', ['organization_id', 'touchpoint', 'answered_on'], unique=False)


def downgrade():
    op.drop_index('ix_survey_responses_org_touchpoint_day', table_name='survey_responses')
    op.drop_index(op.f('ix_survey_responses_job_id'), table_name='survey_responses')
    op.drop_index(op.f('ix_survey_responses_application_id'), table_name='survey_responses')
    op.drop_table('survey_responses')
    op.drop_index(op.f('ix_survey_invitations_organization_id'), table_name='survey_invitations')
    op.drop_table('survey_invitations')
    op.drop_index(op.f('ix_pulse_responses_pulse_id'), table_name='pulse_responses')
    op.drop_table('pulse_responses')
    op.drop_index(op.f('ix_pulse_participations_user_id'), table_name='pulse_participations')
    op.drop_table('pulse_participations')
    op.drop_index('ix_profile_items_profile_kind', table_name='profile_items')
    op.drop_table('profile_items')
    op.drop_index('ix_pulses_organization_opens', table_name='pulses')
    op.drop_table('pulses')
    op.drop_index(op.f('ix_employee_profiles_organization_id'), table_name='employee_profiles')
    op.drop_table('employee_profiles')
    op.drop_table('survey_settings')
