"""The kit registry: kits, their devices, tag sequences and the append-only audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

ACTIVE = "status <> 'retired'"
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "kits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("asset_tag", sa.String(20), nullable=False, unique=True),
        sa.Column("municipality_code", sa.String(4), nullable=False),
        sa.Column("alternative", sa.Integer, nullable=False),
        sa.Column("model", sa.String(80), nullable=False),
        sa.Column("serial", sa.String(40), nullable=False),
        sa.Column("imei", sa.String(15)),
        sa.Column("iccid", sa.String(22)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("support_party", sa.String(12), nullable=False),
        sa.Column("contents", sa.JSON, nullable=False),
        sa.Column("mdm_driver", sa.String(12), nullable=False),
        sa.Column("mdm_ref", sa.String(200)),
        sa.Column("lock_owner", sa.String(120)),
        sa.Column("lock_expires", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("serial", "imei", "iccid"):
        op.create_index(
            f"uq_kits_active_{column}",
            "kits",
            [column],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )
    op.create_index("ix_kits_municipality", "kits", ["municipality_code"])
    op.create_table(
        "kit_devices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kit_id", sa.Integer, sa.ForeignKey("kits.id"), nullable=False),
        sa.Column("serial", sa.String(40), nullable=False),
        sa.Column("imei", sa.String(15)),
        sa.Column("iccid", sa.String(22)),
        sa.Column("model", sa.String(80), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("removal_status", sa.String(12)),
        sa.Column("removal_reason", sa.Text),
    )
    op.create_index("ix_kit_devices_kit", "kit_devices", ["kit_id"])
    op.create_table(
        "tag_sequences",
        sa.Column("municipality_code", sa.String(4), primary_key=True),
        sa.Column("last_value", sa.Integer, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("asset_tag", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("ticket", sa.String(60)),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_log_asset_tag", "audit_log", ["asset_tag"])
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    )
    op.bulk_insert(audit_head, [{"id": 1, "last_hash": GENESIS, "entries": 0}])
    # The audit log is append-only in the database itself, not only by convention in the code.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    raise NotImplementedError("the registry's audit log is never dropped")
