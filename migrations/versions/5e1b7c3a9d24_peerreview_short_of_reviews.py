"""peer_review_submission: short-of-reviews remedies (offered to volunteers, fewer accepted)

Revision ID: 5e1b7c3a9d24
Revises: 3d9e61c4a7b2
Create Date: 2026-12-06 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1b7c3a9d24'
down_revision = "3d9e61c4a7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('peer_review_submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('volunteers_offered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('fewer_accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('fewer_accepted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_peer_review_submission_fewer_accepted_by_id_courses_person',
            'courses_person', ['fewer_accepted_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('peer_review_submission', schema=None) as batch_op:
        batch_op.drop_constraint('fk_peer_review_submission_fewer_accepted_by_id_courses_person',
                                 type_='foreignkey')
        batch_op.drop_column('fewer_accepted_by_id')
        batch_op.drop_column('fewer_accepted_at')
        batch_op.drop_column('volunteers_offered_at')
