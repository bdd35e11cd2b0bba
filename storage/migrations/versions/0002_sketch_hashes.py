"""sketch_hashes: how many documents hold each sketch hash

Each hash keeps postings for its most recent documents only (storage.repo.MAX_POSTINGS), so
predecessor lookups stay bounded as the archive grows; the count tells when to prune.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sketch_hashes",
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )
    op.execute(
        "INSERT INTO sketch_hashes (hash, df) SELECT hash, count(*) FROM doc_sketch GROUP BY hash"
    )


def downgrade() -> None:
    op.drop_table("sketch_hashes")
