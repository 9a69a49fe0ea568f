"""journal: entries, action plans, check-ins, observations

Revision ID: 9a3b6e4c1d72
Revises: 8e2f5d3b0c61
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a3b6e4c1d72'
down_revision = '8e2f5d3b0c61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('journal_action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=500), nullable=False),
    sa.Column('by_when', sa.Date(), nullable=True),
    sa.Column('evidence', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'started', 'done', 'dropped')", name=op.f('ck_journal_action_item_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_journal_action_item_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_journal_action_item_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_action_item')),
    sa.UniqueConstraint('public_id', name=op.f('uq_journal_action_item_public_id'))
    )
    with op.batch_alter_table('journal_action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_action_item_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_action_item_person_id'), ['person_id'], unique=False)

    op.create_table('journal_checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('reminder', sa.String(length=16), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('barriers', sa.JSON(), nullable=False),
    sa.Column('barrier_text', sa.Text(), nullable=False),
    sa.Column('share_with', sa.JSON(), nullable=False),
    sa.Column('share_how', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'answered', 'cancelled')", name=op.f('ck_journal_checkin_status')),
    sa.CheckConstraint('confidence IS NULL OR confidence BETWEEN 1 AND 5', name=op.f('ck_journal_checkin_confidence')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_journal_checkin_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_journal_checkin_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_checkin')),
    sa.UniqueConstraint('activity_id', 'person_id', 'day', name=op.f('uq_journal_checkin_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_journal_checkin_public_id'))
    )
    with op.batch_alter_table('journal_checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_checkin_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_checkin_person_id'), ['person_id'], unique=False)

    op.create_table('journal_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('responses', sa.JSON(), nullable=False),
    sa.Column('plain_text', sa.Text(), nullable=False),
    sa.Column('linked_activity_id', sa.Integer(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('shared_with_group', sa.Boolean(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_journal_entry_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_activity_id'], ['activities_activity.id'], name=op.f('fk_journal_entry_linked_activity_id_activities_activity'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_journal_entry_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entry')),
    sa.UniqueConstraint('public_id', name=op.f('uq_journal_entry_public_id'))
    )
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entry_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_entry_person_id'), ['person_id'], unique=False)

    op.create_table('journal_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_journal_progress_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_journal_progress_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_progress')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_journal_progress_activity_id'))
    )
    with op.batch_alter_table('journal_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_progress_person_id'), ['person_id'], unique=False)

    op.create_table('journal_action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'started', 'done', 'dropped')", name=op.f('ck_journal_action_update_status')),
    sa.ForeignKeyConstraint(['item_id'], ['journal_action_item.id'], name=op.f('fk_journal_action_update_item_id_journal_action_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_action_update'))
    )
    with op.batch_alter_table('journal_action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_action_update_item_id'), ['item_id'], unique=False)

    op.create_table('journal_checkin_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('applied', sa.String(length=16), nullable=False),
    sa.CheckConstraint("applied IN ('not_yet', 'tried', 'regular')", name=op.f('ck_journal_checkin_answer_applied')),
    sa.ForeignKeyConstraint(['checkin_id'], ['journal_checkin.id'], name=op.f('fk_journal_checkin_answer_checkin_id_journal_checkin'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['journal_action_item.id'], name=op.f('fk_journal_checkin_answer_item_id_journal_action_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_checkin_answer')),
    sa.UniqueConstraint('checkin_id', 'item_id', name=op.f('uq_journal_checkin_answer_checkin_id'))
    )
    with op.batch_alter_table('journal_checkin_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_checkin_answer_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_checkin_answer_item_id'), ['item_id'], unique=False)

    op.create_table('journal_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'confirmed', 'declined')", name=op.f('ck_journal_observation_status')),
    sa.ForeignKeyConstraint(['item_id'], ['journal_action_item.id'], name=op.f('fk_journal_observation_item_id_journal_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['observer_id'], ['courses_person.id'], name=op.f('fk_journal_observation_observer_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_observation')),
    sa.UniqueConstraint('item_id', 'observer_id', name=op.f('uq_journal_observation_item_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_journal_observation_public_id'))
    )
    with op.batch_alter_table('journal_observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_observation_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_observation_observer_id'), ['observer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('journal_observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_observation_observer_id'))
        batch_op.drop_index(batch_op.f('ix_journal_observation_item_id'))

    op.drop_table('journal_observation')
    with op.batch_alter_table('journal_checkin_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_checkin_answer_item_id'))
        batch_op.drop_index(batch_op.f('ix_journal_checkin_answer_checkin_id'))

    op.drop_table('journal_checkin_answer')
    with op.batch_alter_table('journal_action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_action_update_item_id'))

    op.drop_table('journal_action_update')
    with op.batch_alter_table('journal_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_progress_person_id'))

    op.drop_table('journal_progress')
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entry_person_id'))
        batch_op.drop_index(batch_op.f('ix_journal_entry_activity_id'))

    op.drop_table('journal_entry')
    with op.batch_alter_table('journal_checkin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_checkin_person_id'))
        batch_op.drop_index(batch_op.f('ix_journal_checkin_due_at'))

    op.drop_table('journal_checkin')
    with op.batch_alter_table('journal_action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_action_item_person_id'))
        batch_op.drop_index(batch_op.f('ix_journal_action_item_activity_id'))

    op.drop_table('journal_action_item')
