"""The Chinese font that certificates and letters are written in.

A PDF that only names a Chinese font (reportlab's STSong-Light, a CID font) leaves the glyphs
to the viewer: desktop readers have them, but a viewer without Adobe's Chinese font pack shows
the Chinese as blanks (poppler without poppler-data does, and so may a phone's built-in
viewer). When a Chinese TrueType font is installed, the subset a PDF uses is embedded in it,
so a certificate reads the same on every phone. `PDF_FONT_PATH` names one; otherwise the
usual Debian fonts are looked for (`apt-get install fonts-wqy-microhei`).
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

KNOWN_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
NAMED_ONLY = "STSong-Light"
EMBEDDED = "WxappChinese"


def find_font_file(configured: str | None) -> str | None:
    if configured:
        return configured
    return next((path for path in KNOWN_FONT_FILES if os.path.isfile(path)), None)


@lru_cache(maxsize=8)
def chinese_font(font_file: str | None) -> str:
    """The registered font name for PDFs: the embedded TrueType font when there is a file,
    else the named-only CID font."""
    if font_file:
        name = f"{EMBEDDED}-{Path(font_file).stem}"
        # A .ttc holds several faces; the first is the regular one in the fonts above.
        pdfmetrics.registerFont(TTFont(name, font_file, subfontIndex=0))
        return name
    pdfmetrics.registerFont(UnicodeCIDFont(NAMED_ONLY))
    return NAMED_ONLY


def font_for_pdfs() -> str:
    from flask import current_app

    return chinese_font(current_app.config["WXAPP_PDF_FONT_FILE"])


def configure_pdf_font(app, configured: str | None, production: bool) -> None:
    """Chosen once at start-up: a configured file that is missing stops the start, since
    every certificate would fail; no font at all is only a warning."""
    if configured and not os.path.isfile(configured):
        from wxapp.config import ConfigurationError

        raise ConfigurationError(f"PDF_FONT_PATH points at no file: {configured}")
    font_file = find_font_file(configured)
    if font_file is None and production:
        log.warning("no Chinese TrueType font installed: PDFs name STSong-Light and leave the "
                    "glyphs to the viewer (apt-get install fonts-wqy-microhei)")
    app.config["WXAPP_PDF_FONT_FILE"] = font_file
