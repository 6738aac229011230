"""Messages the desk's pages leave for the next page (the base template's messages block)."""
from __future__ import annotations

from flask import flash


def flash_success(text: str) -> None:
    flash(text, "success")


def flash_info(text: str) -> None:
    flash(text, "info")


def flash_error(text: str) -> None:
    flash(text, "error")
