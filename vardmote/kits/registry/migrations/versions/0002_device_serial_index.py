"""Look up a past device by its serial: a retired or replaced tablet still names the kit it was in.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index("ix_kit_devices_serial", "kit_devices", ["serial"])


def downgrade() -> None:
    op.drop_index("ix_kit_devices_serial", table_name="kit_devices")
