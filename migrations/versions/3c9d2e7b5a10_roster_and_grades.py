"""roster sync state, line items and the score outbox

Revision ID: 3c9d2e7b5a10
Revises: 716d2febb7e9
Create Date: 2026-11-25 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c9d2e7b5a10'
down_revision = '716d2febb7e9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses_course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_generation', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('roster_synced_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('roster_sync_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('roster_sync_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('roster_sync_counts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('roster_sync_lease_until', sa.DateTime(), nullable=True))
    with op.batch_alter_table('courses_enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_generation', sa.Integer(), nullable=True))

    op.create_table('grades_lineitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=False),
    sa.Column('score_maximum', sa.Float(), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=True),
    sa.Column('url', sa.String(length=1024), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_grades_lineitem_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grades_lineitem_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['lms_registration.id'], name=op.f('fk_grades_lineitem_registration_id_lms_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grades_lineitem')),
    sa.UniqueConstraint('activity_id', 'kind', name=op.f('uq_grades_lineitem_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_grades_lineitem_public_id'))
    )
    with op.batch_alter_table('grades_lineitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grades_lineitem_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grades_lineitem_registration_id'), ['registration_id'], unique=False)

    op.create_table('grades_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('line_item_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('score_given', sa.Float(), nullable=True),
    sa.Column('score_maximum', sa.Float(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('activity_progress', sa.String(length=16), nullable=False),
    sa.Column('grading_progress', sa.String(length=16), nullable=False),
    sa.Column('timestamp', sa.DateTime(), nullable=False),
    sa.Column('sent_timestamp', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('delivered_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('failing_since', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['line_item_id'], ['grades_lineitem.id'], name=op.f('fk_grades_score_line_item_id_grades_lineitem'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_grades_score_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['lms_registration.id'], name=op.f('fk_grades_score_registration_id_lms_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grades_score')),
    sa.UniqueConstraint('line_item_id', 'person_id', name=op.f('uq_grades_score_line_item_id'))
    )
    with op.batch_alter_table('grades_score', schema=None) as batch_op:
        batch_op.create_index('ix_grades_score_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_grades_score_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grades_score_registration_id'), ['registration_id'], unique=False)


def downgrade():
    op.drop_table('grades_score')
    op.drop_table('grades_lineitem')
    with op.batch_alter_table('courses_enrolment', schema=None) as batch_op:
        batch_op.drop_column('seen_generation')
    with op.batch_alter_table('courses_course', schema=None) as batch_op:
        for name in ('roster_sync_lease_until', 'roster_sync_counts', 'roster_sync_error',
                     'roster_sync_status', 'roster_synced_at', 'roster_generation'):
            batch_op.drop_column(name)
