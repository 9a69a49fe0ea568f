"""role_play_seat.stands_in_for_id: whose seat a replacement took (absentees)

A rotation adapts to who is in the group; it must tell an absentee (stood in
for, still a member) from a late joiner (never seated) and a replacement (kept)
from someone who left.

Revision ID: 3d9e61c4a7b2
Revises: c47f9b7a4fa5
Create Date: 2026-12-07 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d9e61c4a7b2'
down_revision = 'c47f9b7a4fa5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('role_play_seat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stands_in_for_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_role_play_seat_stands_in_for_id_courses_person'), 'courses_person',
            ['stands_in_for_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('role_play_seat', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_role_play_seat_stands_in_for_id_courses_person'), type_='foreignkey')
        batch_op.drop_column('stands_in_for_id')
