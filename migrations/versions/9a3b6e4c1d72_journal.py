"""journal: entries, action plans, check-ins, observations

Revision ID: 9a3b6e4c1d72
Revises: 8e2f5d3b0c61
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a3b6e4c1d72'
down_revision = '8e2f5d3b0c61'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
