"""Look up a past device by its IMEI or ICCID too: a technician holding a returned tablet or its SIM
finds the kit it was in by whatever number they can read.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_index("ix_kit_devices_imei", "kit_devices", ["imei"])
    op.create_index("ix_kit_devices_iccid", "kit_devices", ["iccid"])


def downgrade() -> None:
    op.drop_index("ix_kit_devices_iccid", table_name="kit_devices")
    op.drop_index("ix_kit_devices_imei", table_name="kit_devices")
