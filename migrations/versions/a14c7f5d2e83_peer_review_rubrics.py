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
    pass


def downgrade():
    pass
