"""The consent text a resident reads before a birth registration, and its current version."""
from __future__ import annotations

from wxapp.schemas.registration import ConsentTextSchema
from wxapp.services.registration.consent import current_consent_text
from wxapp.web.blueprint import Blueprint

blp = Blueprint("consent", __name__, url_prefix="/consent",
                description="The separate consent (单独同意) for birth registration")


@blp.get("")
@blp.response(200, ConsentTextSchema)
def consent_text():
    """The consent text and its current version.

    Show the paragraphs before the form; send ``version`` back as ``text_version`` in
    ``POST /me/consents``. A newer version (409 ``consent.outdated_text``) means: fetch this
    again and ask again."""
    return current_consent_text()
