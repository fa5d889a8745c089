"""unmet search counts (the needs report)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 03:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unmet_search_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('page_language', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmet_search_counts')),
    sa.UniqueConstraint('week', 'page_language', 'outcome', 'dimension', 'value',
                        name='uq_unmet_search_counts_key')
    )
    with op.batch_alter_table('unmet_search_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmet_search_counts_week'), ['week'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unmet_search_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmet_search_counts_week'))

    op.drop_table('unmet_search_counts')
