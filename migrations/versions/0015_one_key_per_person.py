"""one blind-index key per person; a lockable row per supply holder; codes kept for the
next opening

Revision ID: 0012b
Revises: 0012c
Create Date: 2026-11-30 00:20:00.000000

Registrations and resident profiles keyed ID numbers (and profiles phone numbers) with a
per-column derivation, cabinets and staff with the per-kind one: one person had two keys, so
quotas and doctors' guidance were not shared between the mini-program and the ID card. Every
stored index is recomputed from the decrypted value under the per-kind derivation, and the
app's pickups and guidance records follow their profile's new key (pickups made before the
profile existed, keyed per resident, too; downgrade leaves those under the ID number). Needs
the app's data keyring and blind-index key (flask db upgrade builds the app first).
"""
from alembic import op
import sqlalchemy as sa

from wxapp.security.blind_index import (
    ID_NUMBER_KIND,
    PHONE_KIND,
    blind_index,
    normalise_phone,
)
from wxapp.security.encryption import get_keyring
from wxapp.security.identity import normalise_id_number


# revision identifiers, used by Alembic.
revision = '0012b'
down_revision = '0012c'
branch_labels = None
depends_on = None

# The derivation labels before this revision: one per column.
OLD_PROFILE_ID = "resident_profiles.id_number"
OLD_PROFILE_PHONE = "resident_profiles.phone"
OLD_REGISTRATION_ID = "birth_registrations.id_number"

profiles = sa.table("resident_profiles", sa.column("id", sa.Integer),
                    sa.column("resident_id", sa.Integer),
                    sa.column("id_number", sa.Text), sa.column("id_number_index", sa.String),
                    sa.column("phone", sa.Text), sa.column("phone_index", sa.String))
registrations = sa.table("birth_registrations", sa.column("id", sa.Integer),
                         sa.column("mother_id_number", sa.Text),
                         sa.column("mother_id_index", sa.String),
                         sa.column("father_id_number", sa.Text),
                         sa.column("father_id_index", sa.String))
pickups = sa.table("pickups", sa.column("holder_key", sa.String), sa.column("status", sa.String),
                   sa.column("resident_id", sa.Integer))
guidance = sa.table("guidance_records", sa.column("holder_key", sa.String))


def _id_index(stored, column, kind):
    plain = get_keyring().decrypt(stored, f"{column.table.name}.{column.name}")
    return blind_index(normalise_id_number(plain), kind)


def _phone_index(stored, kind):
    return blind_index(normalise_phone(get_keyring().decrypt(stored, OLD_PROFILE_PHONE)), kind)


def _rekey(id_kind, phone_kind, registration_kind, *, move_app_pickups_only):
    bind = op.get_bind()
    moved = {}
    for row in bind.execute(sa.select(profiles)).all():
        values = {}
        if row.id_number is not None:
            values["id_number_index"] = _id_index(row.id_number, profiles.c.id_number, id_kind)
            if row.id_number_index and row.id_number_index != values["id_number_index"]:
                moved[f"id:{row.id_number_index}"] = f"id:{values['id_number_index']}"
        if row.phone is not None:
            values["phone_index"] = _phone_index(row.phone, phone_kind)
        if values:
            bind.execute(profiles.update().where(profiles.c.id == row.id).values(**values))
        if not move_app_pickups_only and values.get("id_number_index"):
            # What she took before her profile knew her ID number counted per resident.
            bind.execute(pickups.update().where(
                pickups.c.holder_key == f"resident:{row.resident_id}",
                pickups.c.status != "held").values(holder_key=f"id:{values['id_number_index']}"))
    for row in bind.execute(sa.select(registrations)).all():
        bind.execute(registrations.update().where(registrations.c.id == row.id).values(
            mother_id_index=_id_index(row.mother_id_number, registrations.c.mother_id_number,
                                      registration_kind),
            father_id_index=_id_index(row.father_id_number, registrations.c.father_id_number,
                                      registration_kind)))
    for old, new in moved.items():
        condition = pickups.c.holder_key == old
        if move_app_pickups_only:
            # ID-card pickups (no resident) were keyed per kind before this revision too.
            condition = condition & pickups.c.resident_id.isnot(None)
        bind.execute(pickups.update().where(condition).values(holder_key=new))
        if not move_app_pickups_only:
            bind.execute(guidance.update().where(guidance.c.holder_key == old)
                         .values(holder_key=new))


def upgrade():
    op.create_table('supply_holders',
    sa.Column('holder_key', sa.String(length=80), nullable=False),
    sa.Column('last_claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('holder_key', name=op.f('pk_supply_holders'))
    )
    with op.batch_alter_table('pickups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usable_from', sa.DateTime(timezone=True), nullable=True))
    _rekey(ID_NUMBER_KIND, PHONE_KIND, ID_NUMBER_KIND, move_app_pickups_only=False)


def downgrade():
    _rekey(OLD_PROFILE_ID, OLD_PROFILE_PHONE, OLD_REGISTRATION_ID, move_app_pickups_only=True)
    with op.batch_alter_table('pickups', schema=None) as batch_op:
        batch_op.drop_column('usable_from')
    op.drop_table('supply_holders')
