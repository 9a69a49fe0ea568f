"""lms_registration.frame_origins: origins a platform frames the tool from

Revision ID: c47f9b7a4fa5
Revises: b25d8a6f3e94
Create Date: 2026-11-25 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c47f9b7a4fa5'
down_revision = 'b25d8a6f3e94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frame_origins', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('lms_registration', schema=None) as batch_op:
        batch_op.drop_column('frame_origins')
