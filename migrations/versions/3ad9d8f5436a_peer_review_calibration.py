"""peer_review calibration: example submissions with reference assessments,
calibration tries, self-assessments (issue 20, rows 1 and 2)

Revision ID: 3ad9d8f5436a
Revises: 5d1e9a7c3b20
Create Date: 2026-12-07 05:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3ad9d8f5436a'
down_revision = "5d1e9a7c3b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'peer_review_example',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('reference', sa.JSON(), nullable=False),
        sa.Column('reference_comment', sa.Text(), nullable=False),
        sa.Column('public_id', sa.String(length=24), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    with op.batch_alter_table('peer_review_example', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_example_activity_id'), ['activity_id'],
                              unique=False)
    op.create_table(
        'peer_review_calibration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('example_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('agreement', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['example_id'], ['peer_review_example.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('example_id', 'person_id', 'attempt'),
    )
    with op.batch_alter_table('peer_review_calibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_calibration_person_id'), ['person_id'],
                              unique=False)
    op.create_table(
        'peer_review_self_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('total', sa.Float(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('rated_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['submission_id'], ['peer_review_submission.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('activity_id', 'person_id'),
    )
    with op.batch_alter_table('peer_review_self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_self_assessment_person_id'),
                              ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('peer_review_self_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_self_assessment_person_id'))
    op.drop_table('peer_review_self_assessment')
    with op.batch_alter_table('peer_review_calibration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_calibration_person_id'))
    op.drop_table('peer_review_calibration')
    with op.batch_alter_table('peer_review_example', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_example_activity_id'))
    op.drop_table('peer_review_example')
