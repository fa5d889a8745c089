"""offers: whether the weekly hours hold on public holidays too (a crisis line) or not (most)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 21:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_on_public_holidays', sa.Boolean(),
                                      server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('open_on_public_holidays')
