"""peer_review: rubric library, per-criterion comments, group submissions

Revision ID: a14c7f5d2e83
Revises: 9a3b6e4c1d72
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14c7f5d2e83'
down_revision = '9a3b6e4c1d72'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peer_review_library_rubric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['courses_person.id'], name=op.f('fk_peer_review_library_rubric_created_by_id_courses_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deployment_id'], ['lms_deployment.id'], name=op.f('fk_peer_review_library_rubric_deployment_id_lms_deployment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['lms_registration.id'], name=op.f('fk_peer_review_library_rubric_registration_id_lms_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_library_rubric')),
    sa.UniqueConstraint('deployment_id', 'name', name=op.f('uq_peer_review_library_rubric_deployment_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_peer_review_library_rubric_public_id'))
    )
    with op.batch_alter_table('peer_review_library_rubric', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_library_rubric_registration_id'), ['registration_id'], unique=False)

    op.create_table('peer_review_submission_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_peer_review_submission_member_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_peer_review_submission_member_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['peer_review_submission.id'], name=op.f('fk_peer_review_submission_member_submission_id_peer_review_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_submission_member')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_peer_review_submission_member_activity_id'))
    )
    with op.batch_alter_table('peer_review_submission_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_submission_member_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_review_submission_member_submission_id'), ['submission_id'], unique=False)

    # Existing rows get the defaults: no comment required, no per-criterion comments.
    with op.batch_alter_table('peer_review_criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_required', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('peer_review_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criterion_comments', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('peer_review_review', schema=None) as batch_op:
        batch_op.drop_column('criterion_comments')

    with op.batch_alter_table('peer_review_criterion', schema=None) as batch_op:
        batch_op.drop_column('comment_required')

    with op.batch_alter_table('peer_review_submission_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_submission_member_submission_id'))
        batch_op.drop_index(batch_op.f('ix_peer_review_submission_member_person_id'))

    op.drop_table('peer_review_submission_member')
    with op.batch_alter_table('peer_review_library_rubric', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_library_rubric_registration_id'))

    op.drop_table('peer_review_library_rubric')
