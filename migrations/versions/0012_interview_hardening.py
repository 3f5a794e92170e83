"""interviews: one open invitation per application, upload attempts

Also: extra personal links per invitation (reminders, the portal), the interview's language,
the welcome video's captions and the transcript's own state.

Revision ID: 0012_interview_hardening
Revises: 0011_voice
Create Date: 2026-11-22 19:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_interview_hardening'
down_revision = '0011_voice'
branch_labels = None
depends_on = None

OPEN_INVITATION = sa.text("state IN ('sent', 'opened', 'started')")
TRANSCRIPT_STATES = ('pending', 'ready', 'failed', 'disabled', 'unsupported_language', 'no_audio')


def cancel_duplicate_open_invitations():
    """Keep the newest running invitation of each application; cancel older running ones."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, application_id FROM interview_invitations "
        "WHERE state IN ('sent', 'opened', 'started') ORDER BY application_id, sent_at DESC, id DESC"
    )).all()
    seen = set()
    stale = []
    for invitation_id, application_id in rows:
        if application_id in seen:
            stale.append(invitation_id)
        seen.add(application_id)
    now = datetime.now(timezone.utc)
    for invitation_id in stale:
        connection.execute(
            sa.text("UPDATE interview_invitations SET state = 'cancelled', cancelled_at = :now WHERE id = :id"),
            {"now": now, "id": invitation_id},
        )


def upgrade():
    cancel_duplicate_open_invitations()
    with op.batch_alter_table('interview_invitations', schema=None) as batch_op:
        batch_op.create_index(
            'uq_interview_invitations_open_application', ['application_id'], unique=True,
            sqlite_where=OPEN_INVITATION, postgresql_where=OPEN_INVITATION,
        )

    with op.batch_alter_table('interview_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('welcome_captions_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='en', nullable=False))

    with op.batch_alter_table('interview_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'transcript_state',
            sa.Enum(*TRANSCRIPT_STATES, name='interview_transcript_state', native_enum=False,
                    create_constraint=True, length=20),
            server_default='pending', nullable=False,
        ))
        batch_op.add_column(sa.Column('transcript_error', sa.Text(), nullable=True))
    # Answers processed before this revision: a transcript means ready, none means nothing to wait for.
    op.execute(
        "UPDATE interview_answers SET transcript_state = CASE "
        "WHEN transcript <> '' THEN 'ready' ELSE 'no_audio' END "
        "WHERE video_key IS NOT NULL AND processing_state = 'ready'"
    )

    op.create_table('interview_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.Enum('reminder', 'portal', name='interview_link_purpose', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['interview_invitations.id'], name=op.f('fk_interview_links_invitation_id_interview_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_interview_links_token_hash'))
    )
    with op.batch_alter_table('interview_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_links_invitation_id'), ['invitation_id'], unique=False)

    op.create_table('interview_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('multipart_id', sa.String(length=255), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['interview_invitations.id'], name=op.f('fk_interview_uploads_invitation_id_interview_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['interview_questions.id'], name=op.f('fk_interview_uploads_question_id_interview_questions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_uploads')),
    sa.UniqueConstraint('key', name=op.f('uq_interview_uploads_key'))
    )
    with op.batch_alter_table('interview_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_uploads_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_interview_uploads_invitation_question', ['invitation_id', 'question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('interview_uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_interview_uploads_invitation_question')
        batch_op.drop_index(batch_op.f('ix_interview_uploads_created_at'))
    op.drop_table('interview_uploads')

    with op.batch_alter_table('interview_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_links_invitation_id'))
    op.drop_table('interview_links')

    with op.batch_alter_table('interview_answers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_interview_answers_interview_transcript_state'), type_='check')
        batch_op.drop_column('transcript_error')
        batch_op.drop_column('transcript_state')

    with op.batch_alter_table('interview_templates', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('welcome_captions_key')

    with op.batch_alter_table('interview_invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_interview_invitations_open_application')
