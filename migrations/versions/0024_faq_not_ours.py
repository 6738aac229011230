"""questions staff marked as not the office's business (another office's or a doctor's)

Revision ID: 0024n
Revises: 0023v
Create Date: 2026-12-01 03:00:00.000000

The shipped ones stay in wxapp/faq/data/not_ours.yaml; the table starts empty.
"""
from alembic import op
import sqlalchemy as sa


revision = '0024n'
down_revision = '0023v'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'faq_not_ours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('added_by_staff_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['added_by_staff_id'], ['staff_users.id'],
                                name=op.f('fk_faq_not_ours_added_by_staff_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_not_ours')),
        sa.UniqueConstraint('text', name=op.f('uq_faq_not_ours_text')),
    )


def downgrade():
    op.drop_table('faq_not_ours')
