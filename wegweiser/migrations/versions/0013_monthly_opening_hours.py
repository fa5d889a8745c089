"""opening hours: a slot on one weekday of the month only (the first … fourth, or the last)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 18:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('week_of_month', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.drop_column('week_of_month')
