"""each village's share of its township's year target for pre-pregnancy checks

Revision ID: 0021r
Revises: 0020h
Create Date: 2026-11-30 06:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0021r'
down_revision = '0020h'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('screening_village_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.CheckConstraint('target >= 0', name=op.f('ck_screening_village_targets_target_not_negative')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_screening_village_targets_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_village_targets')),
    sa.UniqueConstraint('village_id', 'year', name=op.f('uq_screening_village_targets_village_id_year'))
    )


def downgrade():
    op.drop_table('screening_village_targets')
