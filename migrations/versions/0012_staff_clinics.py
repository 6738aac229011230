"""staff clinics: clinic staff belong to one or more clinics

Revision ID: 0012e
Revises: 0011
Create Date: 2026-11-30 00:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012e'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_clinics',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_staff_clinics_clinic_id_clinics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_clinics_staff_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'clinic_id', name=op.f('pk_staff_clinics'))
    )
    with op.batch_alter_table('staff_clinics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_clinics_clinic_id'), ['clinic_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_clinics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_clinics_clinic_id'))

    op.drop_table('staff_clinics')
