"""grouping: intake survey, group agreement, rounds of groups

Revision ID: 4a1f0e2b9c10
Revises: 716d2febb7e9
Create Date: 2026-11-25 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4a1f0e2b9c10'
down_revision = '3c9d2e7b5a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grouping_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('challenges', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grouping_survey_course_id_courses_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_survey')),
    sa.UniqueConstraint('course_id', name=op.f('uq_grouping_survey_course_id'))
    )
    op.create_table('grouping_intake',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role_title', sa.String(length=120), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('years', sa.Float(), nullable=True),
    sa.Column('function', sa.String(length=80), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('reports_to_id', sa.Integer(), nullable=True),
    sa.Column('reports_to_text', sa.String(length=255), nullable=False),
    sa.Column('challenges', sa.JSON(), nullable=False),
    sa.Column('challenge_other', sa.String(length=120), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grouping_intake_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_grouping_intake_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reports_to_id'], ['courses_person.id'], name=op.f('fk_grouping_intake_reports_to_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_intake')),
    sa.UniqueConstraint('course_id', 'person_id', name=op.f('uq_grouping_intake_course_id'))
    )
    with op.batch_alter_table('grouping_intake', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grouping_intake_person_id'), ['person_id'], unique=False)

    op.create_table('grouping_reporting_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=255), nullable=False),
    sa.Column('manager_key', sa.String(length=255), nullable=False),
    sa.Column('subject_label', sa.String(length=255), nullable=False),
    sa.Column('manager_label', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grouping_reporting_line_course_id_courses_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_reporting_line')),
    sa.UniqueConstraint('course_id', 'subject_key', name=op.f('uq_grouping_reporting_line_course_id'))
    )
    op.create_table('grouping_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grouping_agreement_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['courses_person.id'], name=op.f('fk_grouping_agreement_edited_by_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_agreement')),
    sa.UniqueConstraint('course_id', 'version', name=op.f('uq_grouping_agreement_course_id'))
    )
    op.create_table('grouping_acceptance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grouping_acceptance_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_grouping_acceptance_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_acceptance')),
    sa.UniqueConstraint('course_id', 'person_id', 'version', name=op.f('uq_grouping_acceptance_course_id'))
    )
    with op.batch_alter_table('grouping_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grouping_acceptance_person_id'), ['person_id'], unique=False)

    op.create_table('grouping_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('worst', sa.Float(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_grouping_round_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_grouping_round_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['courses_person.id'], name=op.f('fk_grouping_round_created_by_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_round')),
    sa.UniqueConstraint('activity_id', 'number', name=op.f('uq_grouping_round_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_grouping_round_public_id'))
    )
    with op.batch_alter_table('grouping_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grouping_round_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grouping_round_course_id'), ['course_id'], unique=False)

    op.create_table('grouping_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('violations', sa.JSON(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['grouping_round.id'], name=op.f('fk_grouping_group_round_id_grouping_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_group')),
    sa.UniqueConstraint('public_id', name=op.f('uq_grouping_group_public_id'))
    )
    with op.batch_alter_table('grouping_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grouping_group_round_id'), ['round_id'], unique=False)

    op.create_table('grouping_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('added_late', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_grouping_member_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_grouping_member_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['grouping_round.id'], name=op.f('fk_grouping_member_round_id_grouping_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grouping_member')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_grouping_member_round_id'))
    )
    with op.batch_alter_table('grouping_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grouping_member_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grouping_member_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('grouping_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grouping_member_person_id'))
        batch_op.drop_index(batch_op.f('ix_grouping_member_group_id'))

    op.drop_table('grouping_member')
    with op.batch_alter_table('grouping_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grouping_group_round_id'))

    op.drop_table('grouping_group')
    with op.batch_alter_table('grouping_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grouping_round_course_id'))
        batch_op.drop_index(batch_op.f('ix_grouping_round_activity_id'))

    op.drop_table('grouping_round')
    with op.batch_alter_table('grouping_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grouping_acceptance_person_id'))

    op.drop_table('grouping_acceptance')
    op.drop_table('grouping_agreement')
    op.drop_table('grouping_reporting_line')
    with op.batch_alter_table('grouping_intake', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grouping_intake_person_id'))

    op.drop_table('grouping_intake')
    op.drop_table('grouping_survey')
