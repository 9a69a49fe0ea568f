"""case_discussion: cases, threads, posts, reactions, nudges, summaries

Revision ID: 8e2f5d3b0c61
Revises: 7d1e4c2a9b50
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e2f5d3b0c61'
down_revision = '7d1e4c2a9b50'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
