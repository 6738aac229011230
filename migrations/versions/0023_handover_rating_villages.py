"""ratings of hand-overs take the village the message was left for (they were stored without)

Revision ID: 0023v
Revises: 0021t
Create Date: 2026-11-30 07:15:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0023v'
# The head of main when written (the brief's '0020h' would make a second head).
down_revision = '0021t'
branch_labels = None
depends_on = None


def upgrade():
    # A rating's subject is "handover:<id>"; compared as text so SQLite and PostgreSQL agree.
    op.execute(sa.text(
        "UPDATE service_ratings SET village_id = ("
        " SELECT h.village_id FROM faq_handovers h"
        " WHERE 'handover:' || CAST(h.id AS VARCHAR(20)) = service_ratings.subject)"
        " WHERE service = 'handover' AND village_id IS NULL"))


def downgrade():
    # Which village ids were filled in here is not known afterwards; leaving them is harmless.
    pass
