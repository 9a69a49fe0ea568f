"""analytics: objectives, pre/post instruments and responses, feedback survey,
xAPI outbox

Revision ID: b25d8a6f3e94
Revises: a14c7f5d2e83
Create Date: 2026-11-25 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b25d8a6f3e94'
down_revision = 'a14c7f5d2e83'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analytics_cursor',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_analytics_cursor'))
    )
    op.create_table('analytics_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('verb', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['lms_registration.id'], name=op.f('fk_analytics_statement_registration_id_lms_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_statement')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_analytics_statement_statement_id'))
    )
    with op.batch_alter_table('analytics_statement', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_statement_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_statement_registration_id'), ['registration_id'], unique=False)

    op.create_table('analytics_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('valued', sa.Text(), nullable=False),
    sa.Column('will_change', sa.Text(), nullable=False),
    sa.Column('ideas', sa.Text(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('confidence IS NULL OR confidence BETWEEN 1 AND 5', name=op.f('ck_analytics_feedback_confidence')),
    sa.CheckConstraint('relevance IS NULL OR relevance BETWEEN 1 AND 5', name=op.f('ck_analytics_feedback_relevance')),
    sa.CheckConstraint('satisfaction BETWEEN 0 AND 10', name=op.f('ck_analytics_feedback_satisfaction')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_analytics_feedback_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_analytics_feedback_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_feedback')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_analytics_feedback_activity_id'))
    )
    with op.batch_alter_table('analytics_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_feedback_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_feedback_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('analytics_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.CheckConstraint("kind = 'knowledge' OR correct IS NULL", name=op.f('ck_analytics_item_self_unscored')),
    sa.CheckConstraint("kind IN ('knowledge', 'self')", name=op.f('ck_analytics_item_kind')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_analytics_item_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_item')),
    sa.UniqueConstraint('public_id', name=op.f('uq_analytics_item_public_id'))
    )
    with op.batch_alter_table('analytics_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_item_activity_id'), ['activity_id'], unique=False)

    op.create_table('analytics_person_span',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('first_at', sa.DateTime(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_analytics_person_span_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_analytics_person_span_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'person_id', name=op.f('pk_analytics_person_span'))
    )
    with op.batch_alter_table('analytics_person_span', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_person_span_person_id'), ['person_id'], unique=False)

    op.create_table('analytics_person_week',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_analytics_person_week_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_analytics_person_week_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'week', 'person_id', name=op.f('pk_analytics_person_week'))
    )
    with op.batch_alter_table('analytics_person_week', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_person_week_person_id'), ['person_id'], unique=False)

    op.create_table('analytics_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=8), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('maximum', sa.Float(), nullable=True),
    sa.Column('self_mean', sa.Float(), nullable=True),
    sa.Column('retro_mean', sa.Float(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("phase IN ('pre', 'post')", name=op.f('ck_analytics_response_phase')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_analytics_response_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_analytics_response_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_response')),
    sa.UniqueConstraint('activity_id', 'person_id', 'phase', name=op.f('uq_analytics_response_activity_id'))
    )
    with op.batch_alter_table('analytics_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_response_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_analytics_response_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('analytics_setup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('retrospective', sa.Boolean(), nullable=False),
    sa.Column('post_open', sa.Boolean(), nullable=False),
    sa.Column('post_opened_at', sa.DateTime(), nullable=True),
    sa.Column('ceiling', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_analytics_setup_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_setup')),
    sa.UniqueConstraint('activity_id', name=op.f('uq_analytics_setup_activity_id'))
    )


def downgrade():
    op.drop_table('analytics_setup')
    with op.batch_alter_table('analytics_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_response_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_analytics_response_person_id'))

    op.drop_table('analytics_response')
    with op.batch_alter_table('analytics_person_week', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_person_week_person_id'))

    op.drop_table('analytics_person_week')
    with op.batch_alter_table('analytics_person_span', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_person_span_person_id'))

    op.drop_table('analytics_person_span')
    with op.batch_alter_table('analytics_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_item_activity_id'))

    op.drop_table('analytics_item')
    with op.batch_alter_table('analytics_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_feedback_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_analytics_feedback_person_id'))

    op.drop_table('analytics_feedback')
    with op.batch_alter_table('analytics_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_statement_registration_id'))
        batch_op.drop_index('ix_analytics_statement_due')

    op.drop_table('analytics_statement')
    op.drop_table('analytics_cursor')
