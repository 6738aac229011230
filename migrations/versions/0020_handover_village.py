"""hand-overs say what they are for and, for 请村里代办, which village's workers they go to

Revision ID: 0020h
Revises: 0019t
Create Date: 2026-11-30 04:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0020h'
down_revision = '0019t'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('faq_handovers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), nullable=False,
                                      server_default='question'))
        batch_op.add_column(sa.Column('village_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_faq_handovers_village_id_villages'),
                                    'villages', ['village_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_faq_handovers_village_id'), ['village_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('faq_handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_handovers_village_id'))
        batch_op.drop_constraint(batch_op.f('fk_faq_handovers_village_id_villages'),
                                 type_='foreignkey')
        batch_op.drop_column('village_id')
        batch_op.drop_column('purpose')
