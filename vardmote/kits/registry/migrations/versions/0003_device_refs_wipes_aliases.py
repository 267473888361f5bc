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


def downgrade() -> None:
    op.drop_table("kit_aliases")
    op.drop_index("ix_kit_devices_wipe_state", table_name="kit_devices")
    with op.batch_alter_table("kit_devices") as devices:
        for column in ("wipe_note", "wipe_state", "mdm_device", "mdm_ref"):
            devices.drop_column(column)
    with op.batch_alter_table("kits") as kits:
        kits.drop_column("policy_pending")
        kits.drop_column("mdm_device")
