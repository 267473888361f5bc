"""What a kit needs to be enrolled: MDM policies and profiles, the provisioning QR code, the support label."""
