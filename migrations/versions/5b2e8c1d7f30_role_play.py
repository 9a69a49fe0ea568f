"""role_play: scenarios, checklist, rounds with seats, ratings and completions

Revision ID: 5b2e8c1d7f30
Revises: 4a1f0e2b9c10
Create Date: 2026-11-25 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2e8c1d7f30'
down_revision = '4a1f0e2b9c10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('role_play_checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=120), nullable=False),
    sa.Column('text', sa.String(length=255), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_role_play_checklist_item_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_checklist_item')),
    sa.UniqueConstraint('public_id', name=op.f('uq_role_play_checklist_item_public_id'))
    )
    with op.batch_alter_table('role_play_checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_checklist_item_activity_id'), ['activity_id'], unique=False)

    op.create_table('role_play_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_role_play_completion_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_role_play_completion_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_completion')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_role_play_completion_activity_id'))
    )
    with op.batch_alter_table('role_play_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_completion_person_id'), ['person_id'], unique=False)

    op.create_table('role_play_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('practitioner_card', sa.Text(), nullable=False),
    sa.Column('client_card', sa.Text(), nullable=False),
    sa.Column('observer_card', sa.Text(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_role_play_scenario_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_scenario')),
    sa.UniqueConstraint('public_id', name=op.f('uq_role_play_scenario_public_id'))
    )
    with op.batch_alter_table('role_play_scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_scenario_activity_id'), ['activity_id'], unique=False)

    op.create_table('role_play_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('advanced_by_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('ready', 'in_progress', 'feedback_due', 'done')", name=op.f('ck_role_play_round_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_role_play_round_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['advanced_by_id'], ['courses_person.id'], name=op.f('fk_role_play_round_advanced_by_id_courses_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_role_play_round_group_id_grouping_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_round')),
    sa.UniqueConstraint('group_id', 'number', name=op.f('uq_role_play_round_group_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_role_play_round_public_id'))
    )
    with op.batch_alter_table('role_play_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_round_activity_id'), ['activity_id'], unique=False)

    op.create_table('role_play_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('observer', 'self')", name=op.f('ck_role_play_rating_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['courses_person.id'], name=op.f('fk_role_play_rating_author_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['role_play_round.id'], name=op.f('fk_role_play_rating_round_id_role_play_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_rating')),
    sa.UniqueConstraint('round_id', 'author_id', 'kind', name=op.f('uq_role_play_rating_round_id'))
    )
    with op.batch_alter_table('role_play_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_rating_author_id'), ['author_id'], unique=False)

    op.create_table('role_play_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('practitioner', 'client', 'observer')", name=op.f('ck_role_play_seat_role')),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_role_play_seat_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['role_play_round.id'], name=op.f('fk_role_play_seat_round_id_role_play_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_seat')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_role_play_seat_round_id'))
    )
    with op.batch_alter_table('role_play_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_play_seat_person_id'), ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('role_play_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_seat_person_id'))

    op.drop_table('role_play_seat')
    with op.batch_alter_table('role_play_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_rating_author_id'))

    op.drop_table('role_play_rating')
    with op.batch_alter_table('role_play_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_round_activity_id'))

    op.drop_table('role_play_round')
    with op.batch_alter_table('role_play_scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_scenario_activity_id'))

    op.drop_table('role_play_scenario')
    with op.batch_alter_table('role_play_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_completion_person_id'))

    op.drop_table('role_play_completion')
    with op.batch_alter_table('role_play_checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_play_checklist_item_activity_id'))

    op.drop_table('role_play_checklist_item')
