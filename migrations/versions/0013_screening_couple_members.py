"""screening couple members: bookings and results belong to accounts, not to a typed pair

Revision ID: 0012a
Revises: 0012e
Create Date: 2026-11-30 00:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012a'
down_revision = '0012e'
branch_labels = None
depends_on = None

_ACTIVE = sa.text("status IN ('scheduled', 'waitlisted', 'offered')")


def upgrade():
    op.create_table('screening_couple_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('joined_by', sa.String(length=16), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['couple_id'], ['screening_couples.id'], name=op.f('fk_screening_couple_members_couple_id_screening_couples')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_screening_couple_members_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_couple_members')),
    sa.UniqueConstraint('resident_id', name=op.f('uq_screening_couple_members_resident_id'))
    )
    with op.batch_alter_table('screening_couple_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_couple_members_couple_id'), ['couple_id'], unique=False)

    with op.batch_alter_table('screening_couples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_code_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('join_code_expires_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('screening_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('couple_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_screening_bookings_couple_id'), ['couple_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_screening_bookings_couple_id_screening_couples'), 'screening_couples', ['couple_id'], ['id'])
        batch_op.drop_index('uq_screening_bookings_one_active_per_couple', postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)

    # Each couple so far belongs to the account that gave it, and each booking to the couple
    # of the account that made it. A second account that typed the same pair keeps its own
    # couple and from now on sees only its own bookings.
    op.execute("INSERT INTO screening_couple_members (couple_id, resident_id, joined_by, joined_at) "
               "SELECT id, resident_id, 'created', created_at FROM screening_couples")
    op.execute("UPDATE screening_bookings SET couple_id = (SELECT c.id FROM screening_couples c "
               "WHERE c.resident_id = screening_bookings.resident_id)")

    with op.batch_alter_table('screening_bookings', schema=None) as batch_op:
        batch_op.create_index('uq_screening_bookings_one_active_per_couple', ['couple_id'], unique=True, postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)


def downgrade():
    with op.batch_alter_table('screening_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_screening_bookings_one_active_per_couple', postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)
        batch_op.drop_constraint(batch_op.f('fk_screening_bookings_couple_id_screening_couples'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_screening_bookings_couple_id'))
        batch_op.drop_column('couple_id')
        # Fails, as it should, while two couples of one pair of ID numbers both hold an
        # active booking: the old rule allowed one per pair.
        batch_op.create_index('uq_screening_bookings_one_active_per_couple', ['couple_key'], unique=True, postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)

    with op.batch_alter_table('screening_couples', schema=None) as batch_op:
        batch_op.drop_column('join_code_expires_at')
        batch_op.drop_column('join_code_digest')

    with op.batch_alter_table('screening_couple_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_couple_members_couple_id'))

    op.drop_table('screening_couple_members')
