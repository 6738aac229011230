"""staff two-step sign-in: TOTP secret (encrypted), last accepted step, enrolment time

Revision ID: 0019t
Revises: 0018s
Create Date: 2026-11-30 03:10:00.000000

Accounts that see the whole township (township_admin, reviewer) must confirm a code from an
authenticator app after their password in the console; they enrol at their next sign-in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019t'
down_revision = '0018s'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('totp_enrolled_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
