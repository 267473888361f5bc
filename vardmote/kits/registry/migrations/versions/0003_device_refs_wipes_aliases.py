"""The MDM's reference of each device, the wipe of each device that left a kit, and a kit's old tags.

- kits.mdm_device, kit_devices.mdm_device: the device's own name in its MDM once it has enrolled (with
  the Android Management API, enterprises/…/devices/…; the enrollment token's name stays in mdm_ref).
- kit_devices.wipe_state: pending (ordered, not yet confirmed), sent (the MDM accepted the wipe),
  confirmed (the technician confirmed a work order), with wipe_note saying how and where.
- kits.policy_pending: set while the kit's tablet does not yet have what the registry says (after a
  move or a change of alternative): what is still to be done, until the MDM took the new policy or the
  technician confirmed the work order.
- kit_aliases: every asset tag a kit had before a move, so the old label still finds it.

Revision ID: 0003
Revises: 0002
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("kits") as kits:
        kits.add_column(sa.Column("mdm_device", sa.String(200)))
        kits.add_column(sa.Column("policy_pending", sa.Text))
    with op.batch_alter_table("kit_devices") as devices:
        devices.add_column(sa.Column("mdm_ref", sa.String(200)))
        devices.add_column(sa.Column("mdm_device", sa.String(200)))
        devices.add_column(sa.Column("wipe_state", sa.String(12)))
        devices.add_column(sa.Column("wipe_note", sa.Text))
    op.create_index("ix_kit_devices_wipe_state", "kit_devices", ["wipe_state"])
    op.create_table(
        "kit_aliases",
        sa.Column("asset_tag", sa.String(20), primary_key=True),
        sa.Column("kit_id", sa.Integer, sa.ForeignKey("kits.id"), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kit_aliases_kit", "kit_aliases", ["kit_id"])
    _aliases_from_the_log()


def _aliases_from_the_log() -> None:
    """Earlier moves are in the audit log only: each re-tag entry names the tag the kit had before. Newest
    first, a tag that is (or was) some kit's leads to the tag before it."""
    bind = op.get_bind()
    kit_of = {tag: kit_id for kit_id, tag in bind.execute(sa.text("SELECT id, asset_tag FROM kits"))}
    retags = bind.execute(
        sa.text("SELECT asset_tag, details, at FROM audit_log WHERE action = 'retag' ORDER BY id DESC")
    )
    aliases = []
    for tag, details, at in retags:
        old = json.loads(details).get("old", {}).get("asset_tag")
        kit_id = kit_of.get(tag)
        if kit_id is None or not old or old == tag or old in kit_of:
            continue
        kit_of[old] = kit_id
        aliases.append({"asset_tag": old, "kit_id": kit_id, "until": at})
    if aliases:
        table = sa.table(
            "kit_aliases", sa.column("asset_tag"), sa.column("kit_id"), sa.column("until", sa.DateTime(timezone=True))
        )
        from datetime import datetime  # noqa: PLC0415

        op.bulk_insert(table, [{**a, "until": datetime.fromisoformat(a["until"])} for a in aliases])


def downgrade() -> None:
    op.drop_table("kit_aliases")
    op.drop_index("ix_kit_devices_wipe_state", table_name="kit_devices")
    with op.batch_alter_table("kit_devices") as devices:
        for column in ("wipe_note", "wipe_state", "mdm_device", "mdm_ref"):
            devices.drop_column(column)
    with op.batch_alter_table("kits") as kits:
        kits.drop_column("policy_pending")
        kits.drop_column("mdm_device")
