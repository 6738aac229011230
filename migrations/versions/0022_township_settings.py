"""township settings the office edits in the console (one row per changed setting)

Revision ID: 0021t
Revises: 0021r
Create Date: 2026-11-30 06:40:00.000000

Settings without a row keep the environment's value, so the migration adds no rows.
"""
from alembic import op
import sqlalchemy as sa


revision = '0021t'
down_revision = '0021r'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'township_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by'], ['staff_users.id'],
                                name=op.f('fk_township_settings_updated_by_staff_users')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_township_settings')),
    )


def downgrade():
    op.drop_table('township_settings')
