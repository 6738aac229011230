"""Re-encrypt every encrypted column with the current primary key.

Safe to run again after an interruption: rows already under the primary key are skipped, and
each batch commits on its own.
"""
from __future__ import annotations

from sqlalchemy import Text, select, type_coerce, update

from wxapp.extensions import db
from wxapp.security.encryption import EncryptedText, Keyring, get_keyring

BATCH_SIZE = 500


def encrypted_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                yield table, column


def rotate_all(keyring: Keyring | None = None) -> dict[str, int]:
    keyring = keyring or get_keyring()
    counts: dict[str, int] = {}
    for table, column in encrypted_columns():
        pk = table.primary_key.columns.values()[0]
        raw = type_coerce(column, Text)
        rotated = 0
        last_id = None
        while True:
            query = select(pk, raw).where(column.isnot(None)).order_by(pk).limit(BATCH_SIZE)
            if last_id is not None:
                query = query.where(pk > last_id)
            rows = db.session.execute(query).all()
            if not rows:
                break
            for row_id, stored in rows:
                last_id = row_id
                if Keyring.key_id_of(stored) == keyring.primary_id:
                    continue
                plain = keyring.decrypt(stored, column.type.context)
                db.session.execute(
                    update(table).where(pk == row_id)
                    .values({column.name: type_coerce(
                        keyring.encrypt(plain, column.type.context), Text)})
                )
                rotated += 1
            db.session.commit()
        counts[f"{table.name}.{column.name}"] = rotated
    return counts
