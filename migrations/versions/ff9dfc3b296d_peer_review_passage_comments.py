"""peer_review_review.passage_comments: reviewers' comments anchored to passages
of a text submission (character offsets into its sanitised text)

Revision ID: ff9dfc3b296d
Revises: 3ad9d8f5436a
Create Date: 2026-12-07 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ff9dfc3b296d'
down_revision = "3ad9d8f5436a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('peer_review_review', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('passage_comments', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade():
    with op.batch_alter_table('peer_review_review', schema=None) as batch_op:
        batch_op.drop_column('passage_comments')
