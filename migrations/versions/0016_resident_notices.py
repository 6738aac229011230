"""resident notices with a delivery record per channel; SMS consent on profiles

Revision ID: 0016n
Revises: 0012b
Create Date: 2026-11-30 03:10:00.000000

Notices replace outbound_messages: each thing a resident must learn is a row she can list,
and every channel tried for it (subscribe message, customer-service message, SMS) leaves a
delivery row. outbound_messages held only outcomes, no content; it is dropped, not copied
(its rows have no notice to belong to).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016n'
down_revision = '0012b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resident_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=True),
    sa.Column('dedupe_key', sa.String(length=128), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivering_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_via', sa.String(length=32), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'],
                            name=op.f('fk_resident_notices_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_notices')),
    sa.UniqueConstraint('resident_id', 'dedupe_key',
                        name=op.f('uq_resident_notices_resident_id_dedupe_key'))
    )
    with op.batch_alter_table('resident_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_notices_resident_id'), ['resident_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_resident_notices_subject'), ['subject'],
                              unique=False)

    op.create_table('notice_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['resident_notices.id'],
                            name=op.f('fk_notice_deliveries_notice_id_resident_notices'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_deliveries'))
    )
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_deliveries_notice_id'), ['notice_id'],
                              unique=False)

    with op.batch_alter_table('resident_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_consent_at', sa.DateTime(timezone=True),
                                      nullable=True))

    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_messages_resident_id'))
    op.drop_table('outbound_messages')


def downgrade():
    op.create_table('outbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('template_id', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('errcode', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'],
                            name=op.f('fk_outbound_messages_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_messages'))
    )
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_messages_resident_id'), ['resident_id'],
                              unique=False)
    with op.batch_alter_table('resident_profiles', schema=None) as batch_op:
        batch_op.drop_column('sms_consent_at')
    with op.batch_alter_table('notice_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_deliveries_notice_id'))
    op.drop_table('notice_deliveries')
    with op.batch_alter_table('resident_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_notices_subject'))
        batch_op.drop_index(batch_op.f('ix_resident_notices_resident_id'))
    op.drop_table('resident_notices')
