"""Is this database, restored from a backup, one the service can run on with the keys it was
given? ``flask --app wsgi check`` asks, after a restore and before residents are let in:

- the schema is at the migrations' head (a dump from an older release needs ``db upgrade``);
- the data key decrypts a sample of every encrypted column (DATA_ENCRYPTION_KEY, with the
  old keys of a rotation in progress): a wrong or lost key means the data is unreadable;
- the blind-index key finds the sampled people again (BLIND_INDEX_KEY): a wrong one would
  leave every look-up by ID number or phone finding nobody;
- stock equals the ledger (账、卡、物相符), the supplies' own check.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Text, select, type_coerce

from wxapp.extensions import db
from wxapp.security.blind_index import id_number_index, phone_index
from wxapp.security.encryption import get_keyring
from wxapp.services.key_rotation import encrypted_columns
from wxapp.services.supplies.ledger import ledger_problems

SAMPLE_ROWS = 20
# (table, encrypted value column, its blind-index column, how the index is made)
INDEXED_COLUMNS = [
    ("resident_profiles", "id_number", "id_number_index", id_number_index),
    ("resident_profiles", "phone", "phone_index", phone_index),
    ("birth_registrations", "mother_id_number", "mother_id_index", id_number_index),
    ("birth_registrations", "father_id_number", "father_id_index", id_number_index),
]


@dataclass
class CheckReport:
    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_restored_database(current: set[str], heads: set[str]) -> CheckReport:
    """``current``: the database's Alembic revisions; ``heads``: the migrations' heads."""
    report = CheckReport()
    if current == heads:
        report.passed.append(f"schema at the migrations' head ({', '.join(sorted(heads))})")
    else:
        report.problems.append(
            f"schema at {', '.join(sorted(current)) or 'no revision'}, migrations' head is "
            f"{', '.join(sorted(heads))}: run `flask --app wsgi db upgrade`")
        return report  # the checks below read tables that may not be there yet
    _check_decryption(report)
    _check_blind_indexes(report)
    ledger = ledger_problems()
    if ledger:
        report.problems += [f"stock and ledger differ: {problem}" for problem in ledger]
    else:
        report.passed.append("stock equals the ledger")
    return report


def _check_decryption(report: CheckReport) -> None:
    keyring = get_keyring()
    sampled = failed = 0
    for table, column in encrypted_columns():
        pk = table.primary_key.columns.values()[0]
        rows = db.session.execute(select(pk, type_coerce(column, Text))
                                  .where(column.isnot(None)).order_by(pk.desc())
                                  .limit(SAMPLE_ROWS)).all()
        bad = 0
        for _row_id, stored in rows:
            try:
                keyring.decrypt(stored, column.type.context)
            except Exception:
                bad += 1
        sampled += len(rows)
        failed += bad
        if bad:
            report.problems.append(f"{table.name}.{column.name}: {bad} of {len(rows)} sampled "
                                   "values cannot be decrypted with DATA_ENCRYPTION_KEY / "
                                   "DATA_ENCRYPTION_OLD_KEYS")
    if sampled and not failed:
        report.passed.append(f"the data key decrypts all {sampled} sampled values")
    elif not sampled:
        report.passed.append("no encrypted values to sample (an empty database?)")


def _check_blind_indexes(report: CheckReport) -> None:
    keyring = get_keyring()
    metadata = db.metadata.tables
    checked = wrong = 0
    for table_name, value_name, index_name, make_index in INDEXED_COLUMNS:
        table = metadata[table_name]
        value, index = table.c[value_name], table.c[index_name]
        rows = db.session.execute(select(type_coerce(value, Text), index)
                                  .where(value.isnot(None), index.isnot(None))
                                  .limit(SAMPLE_ROWS)).all()
        for stored, stored_index in rows:
            try:
                plain = keyring.decrypt(stored, value.type.context)
            except Exception:
                continue  # already reported by the decryption check
            checked += 1
            if make_index(plain) != stored_index:
                wrong += 1
    if wrong:
        report.problems.append(f"{wrong} of {checked} sampled look-up hashes differ: "
                               "BLIND_INDEX_KEY is not the key this data was indexed with")
    elif checked:
        report.passed.append(f"the blind-index key finds all {checked} sampled people")
