"""calls for help (what organisations are looking for: "Mitmachen")

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:37:20.595076
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('help_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('original_language', sa.String(length=12), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.Column('pending', sa.JSON(), nullable=True),
    sa.Column('pending_author_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_help_calls_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['pending_author_id'], ['users.id'], name=op.f('fk_help_calls_pending_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_calls')),
    sa.UniqueConstraint('external_id', name=op.f('uq_help_calls_external_id'))
    )
    with op.batch_alter_table('help_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_calls_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_calls_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_calls_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_calls_status'), ['status'], unique=False)

    op.create_table('help_call_areas',
    sa.Column('help_call_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_help_call_areas_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['help_call_id'], ['help_calls.id'], name=op.f('fk_help_call_areas_help_call_id_help_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('help_call_id', 'area_id', name=op.f('pk_help_call_areas'))
    )
    with op.batch_alter_table('help_call_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_call_areas_area_id'), ['area_id'], unique=False)

    op.create_table('help_call_languages',
    sa.Column('help_call_id', sa.Integer(), nullable=False),
    sa.Column('language_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['help_call_id'], ['help_calls.id'], name=op.f('fk_help_call_languages_help_call_id_help_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['language_id'], ['languages.id'], name=op.f('fk_help_call_languages_language_id_languages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('help_call_id', 'language_id', name=op.f('pk_help_call_languages'))
    )
    with op.batch_alter_table('help_call_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_call_languages_language_id'), ['language_id'], unique=False)

    op.create_table('help_call_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('help_call_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['help_call_id'], ['help_calls.id'], name=op.f('fk_help_call_texts_help_call_id_help_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_call_texts')),
    sa.UniqueConstraint('help_call_id', 'field', 'locale', name=op.f('uq_help_call_texts_help_call_id'))
    )
    with op.batch_alter_table('help_call_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_call_texts_help_call_id'), ['help_call_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('help_call_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_call_texts_help_call_id'))

    op.drop_table('help_call_texts')
    with op.batch_alter_table('help_call_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_call_languages_language_id'))

    op.drop_table('help_call_languages')
    with op.batch_alter_table('help_call_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_call_areas_area_id'))

    op.drop_table('help_call_areas')
    with op.batch_alter_table('help_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_calls_status'))
        batch_op.drop_index(batch_op.f('ix_help_calls_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_help_calls_kind'))
        batch_op.drop_index(batch_op.f('ix_help_calls_end_date'))

    op.drop_table('help_calls')
