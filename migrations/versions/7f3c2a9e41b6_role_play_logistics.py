"""role_play logistics: meeting place, proposed times, shared round clock

Revision ID: 7f3c2a9e41b6
Revises: ff9dfc3b296d
Create Date: 2026-12-07 05:44:06.968944

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7f3c2a9e41b6'
down_revision = "ff9dfc3b296d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('role_play_logistics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=500), nullable=False),
    sa.Column('is_link', sa.Boolean(), nullable=False),
    sa.Column('place_set_by_id', sa.Integer(), nullable=True),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_role_play_logistics_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_role_play_logistics_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_set_by_id'], ['courses_person.id'], name=op.f('fk_role_play_logistics_place_set_by_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_play_logistics')),
    sa.UniqueConstraint('activity_id', 'group_id', name=op.f('uq_role_play_logistics_activity_id'))
    )
    with op.batch_alter_table('role_play_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('clock_seconds', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('role_play_round', schema=None) as batch_op:
        batch_op.drop_column('clock_seconds')
        batch_op.drop_column('clock_started_at')

    op.drop_table('role_play_logistics')
