"""temporary closures of an offer (holidays, renovation), with a note per language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 20:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offer_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_closures_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_closures'))
    )
    with op.batch_alter_table('offer_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_closures_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_closures_last_day'), ['last_day'], unique=False)

    op.create_table('offer_closure_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('closure_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closure_id'], ['offer_closures.id'], name=op.f('fk_offer_closure_texts_closure_id_offer_closures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_closure_texts')),
    sa.UniqueConstraint('closure_id', 'field', 'locale', name=op.f('uq_offer_closure_texts_closure_id'))
    )
    with op.batch_alter_table('offer_closure_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_closure_texts_closure_id'), ['closure_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('offer_closure_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_closure_texts_closure_id'))

    op.drop_table('offer_closure_texts')
    with op.batch_alter_table('offer_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_closures_last_day'))
        batch_op.drop_index(batch_op.f('ix_offer_closures_offer_id'))

    op.drop_table('offer_closures')
