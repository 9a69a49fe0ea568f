"""grades_send: "Send grades" runs, done in the background in batches

Revision ID: 5d1e9a7c3b20
Revises: 5e1b7c3a9d24
Create Date: 2026-12-07 00:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e9a7c3b20'
down_revision = "5e1b7c3a9d24"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'grades_send',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('zero_non_starters', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('processed', sa.Integer(), nullable=False),
        sa.Column('queued_people', sa.Integer(), nullable=False),
        sa.Column('non_starters', sa.Integer(), nullable=False),
        sa.Column('no_grade_yet', sa.Integer(), nullable=False),
        sa.Column('cursor', sa.Integer(), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('public_id', sa.String(length=24), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['lms_registration.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['courses_person.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    with op.batch_alter_table('grades_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grades_send_activity_id'), ['activity_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_grades_send_registration_id'), ['registration_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('grades_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grades_send_registration_id'))
        batch_op.drop_index(batch_op.f('ix_grades_send_activity_id'))
    op.drop_table('grades_send')
