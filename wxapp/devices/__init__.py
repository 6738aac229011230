"""The self-service cabinets' API under /device/v1/: every call signed with the cabinet's key."""
from __future__ import annotations

from flask import Flask


def register_device_api(app: Flask) -> None:
    from wxapp.devices.api import blp

    app.extensions["wxapp_api"].register_blueprint(blp)
