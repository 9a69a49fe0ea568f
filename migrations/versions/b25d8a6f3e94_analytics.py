"""analytics: objectives, pre/post instruments and responses, feedback survey,
xAPI outbox

Revision ID: b25d8a6f3e94
Revises: a14c7f5d2e83
Create Date: 2026-11-25 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b25d8a6f3e94'
down_revision = 'a14c7f5d2e83'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
