"""idempotency answers encrypted, claims before the answer

Stored answers were plaintext (a registration's answer holds both ID numbers): existing ones
are encrypted with the data key, bound to idempotency_records.response_body as the model
does; status and body may be empty while a claim's own transaction runs the view.

Revision ID: 0012c
Revises: 0012a
Create Date: 2026-11-30 00:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012c'
down_revision = '0012a'
branch_labels = None
depends_on = None

CONTEXT = "idempotency_records.response_body"
records = sa.table("idempotency_records", sa.column("id", sa.Integer),
                   sa.column("response_body", sa.Text))


def _recode(convert):
    connection = op.get_bind()
    rows = connection.execute(sa.select(records.c.id, records.c.response_body)
                              .where(records.c.response_body.isnot(None))).all()
    for row_id, body in rows:
        connection.execute(records.update().where(records.c.id == row_id)
                           .values(response_body=convert(body)))


def upgrade():
    from wxapp.security.encryption import get_keyring

    keyring = get_keyring()
    _recode(lambda body: keyring.encrypt(body, CONTEXT))
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.alter_column('status_code', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('response_body', existing_type=sa.Text(), nullable=True)


def downgrade():
    from wxapp.security.encryption import get_keyring

    keyring = get_keyring()
    op.execute(records.delete().where(records.c.response_body.is_(None)))
    _recode(lambda body: keyring.decrypt(body, CONTEXT))
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.alter_column('response_body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('status_code', existing_type=sa.Integer(), nullable=False)
