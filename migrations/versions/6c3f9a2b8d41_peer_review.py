"""peer_review: rubric criteria, submissions, reviews with leases and helpfulness,
grade overrides, learner progress

Revision ID: 6c3f9a2b8d41
Revises: 5b2e8c1d7f30
Create Date: 2026-11-25 15:36:05.508258

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c3f9a2b8d41'
down_revision = '5b2e8c1d7f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peer_review_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('levels', sa.Text(), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_peer_review_criterion_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_criterion')),
    sa.UniqueConstraint('public_id', name=op.f('uq_peer_review_criterion_public_id'))
    )
    with op.batch_alter_table('peer_review_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_criterion_activity_id'), ['activity_id'], unique=False)

    op.create_table('peer_review_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('submission', 'reviewing')", name=op.f('ck_peer_review_override_kind')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_peer_review_override_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['courses_person.id'], name=op.f('fk_peer_review_override_by_id_courses_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_peer_review_override_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_override')),
    sa.UniqueConstraint('activity_id', 'person_id', 'kind', name=op.f('uq_peer_review_override_activity_id'))
    )
    with op.batch_alter_table('peer_review_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_override_person_id'), ['person_id'], unique=False)

    op.create_table('peer_review_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('moved_on_at', sa.DateTime(), nullable=True),
    sa.Column('moved_on_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_peer_review_progress_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_peer_review_progress_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_progress')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_peer_review_progress_activity_id'))
    )
    with op.batch_alter_table('peer_review_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_progress_person_id'), ['person_id'], unique=False)

    op.create_table('peer_review_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link_url', sa.String(length=1024), nullable=True),
    sa.Column('file_key', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Text(), nullable=False),
    sa.Column('revised_at', sa.DateTime(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_peer_review_submission_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['courses_person.id'], name=op.f('fk_peer_review_submission_author_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_submission')),
    sa.UniqueConstraint('activity_id', 'author_id', name=op.f('uq_peer_review_submission_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_peer_review_submission_public_id'))
    )
    with op.batch_alter_table('peer_review_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_submission_author_id'), ['author_id'], unique=False)

    op.create_table('peer_review_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('helpfulness', sa.Integer(), nullable=True),
    sa.Column('helpfulness_comment', sa.Text(), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('leased', 'done')", name=op.f('ck_peer_review_review_status')),
    sa.CheckConstraint('helpfulness IS NULL OR (helpfulness BETWEEN 1 AND 5)', name=op.f('ck_peer_review_review_helpfulness')),
    sa.CheckConstraint('reviewer_id <> author_id', name=op.f('ck_peer_review_review_not_self')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_peer_review_review_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['courses_person.id'], name=op.f('fk_peer_review_review_author_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['courses_person.id'], name=op.f('fk_peer_review_review_reviewer_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['peer_review_submission.id'], name=op.f('fk_peer_review_review_submission_id_peer_review_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_review')),
    sa.UniqueConstraint('public_id', name=op.f('uq_peer_review_review_public_id')),
    sa.UniqueConstraint('submission_id', 'reviewer_id', name=op.f('uq_peer_review_review_submission_id'))
    )
    with op.batch_alter_table('peer_review_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_review_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_review_review_reviewer_id'), ['reviewer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('peer_review_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_review_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_peer_review_review_activity_id'))

    op.drop_table('peer_review_review')
    with op.batch_alter_table('peer_review_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_submission_author_id'))

    op.drop_table('peer_review_submission')
    with op.batch_alter_table('peer_review_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_progress_person_id'))

    op.drop_table('peer_review_progress')
    with op.batch_alter_table('peer_review_override', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_override_person_id'))

    op.drop_table('peer_review_override')
    with op.batch_alter_table('peer_review_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_criterion_activity_id'))

    op.drop_table('peer_review_criterion')
