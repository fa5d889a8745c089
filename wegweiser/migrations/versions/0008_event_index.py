"""the change log also records changed events (the events index)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.alter_column('offer_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_change_log_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    op.execute('DELETE FROM change_log WHERE offer_id IS NULL')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_event_id'))
        batch_op.alter_column('offer_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('event_id')
