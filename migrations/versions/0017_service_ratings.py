"""service ratings (好差评) with the office's call-back

Revision ID: 0017r
Revises: 0016n
Create Date: 2026-11-30 03:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0017r'
down_revision = '0016n'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('callback_status', sa.String(length=16), nullable=False),
    sa.Column('callback_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('callback_note', sa.Text(), nullable=True),
    sa.Column('callback_by', sa.Integer(), nullable=True),
    sa.Column('callback_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appeal', sa.Text(), nullable=True),
    sa.Column('appealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('score between 1 and 5', name=op.f('ck_service_ratings_score')),
    sa.ForeignKeyConstraint(['callback_by'], ['staff_users.id'],
                            name=op.f('fk_service_ratings_callback_by_staff_users')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'],
                            name=op.f('fk_service_ratings_resident_id_residents')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'],
                            name=op.f('fk_service_ratings_staff_id_staff_users')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'],
                            name=op.f('fk_service_ratings_township_id_townships')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'],
                            name=op.f('fk_service_ratings_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_ratings')),
    sa.UniqueConstraint('resident_id', 'subject',
                        name=op.f('uq_service_ratings_resident_id_subject'))
    )
    with op.batch_alter_table('service_ratings', schema=None) as batch_op:
        for column in ('resident_id', 'staff_id', 'township_id', 'village_id', 'created_at'):
            batch_op.create_index(batch_op.f(f'ix_service_ratings_{column}'), [column],
                                  unique=False)


def downgrade():
    with op.batch_alter_table('service_ratings', schema=None) as batch_op:
        for column in ('resident_id', 'staff_id', 'township_id', 'village_id', 'created_at'):
            batch_op.drop_index(batch_op.f(f'ix_service_ratings_{column}'))
    op.drop_table('service_ratings')
