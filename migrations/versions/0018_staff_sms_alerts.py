"""staff alerts by text message: a phone on staff accounts, an SMS state on staff notices

Revision ID: 0018s
Revises: 0017r
Create Date: 2026-11-30 03:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0018s'
down_revision = '0017r'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.Text(), nullable=True))
    with op.batch_alter_table('staff_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('sms_params', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_staff_notices_sms_status'), ['sms_status'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('staff_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notices_sms_status'))
        batch_op.drop_column('sms_params')
        batch_op.drop_column('sms_status')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('phone')
