"""Which Chinese font PDFs are written in: an installed TrueType font is embedded; without
one the named-only CID font is used; a configured file that is missing stops the start."""
from __future__ import annotations

import io
import logging
from dataclasses import replace
from types import SimpleNamespace

import pytest
from reportlab.pdfgen import canvas

from tests.conftest import make_app
from wxapp.config import ConfigurationError
from wxapp.formats import pdf_fonts


def _pdf_with(font: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.setFont(font, 12)
    pdf.drawString(50, 700, "生育服务登记凭证")
    pdf.save()
    return buffer.getvalue()


def test_an_installed_font_is_embedded():
    font_file = pdf_fonts.find_font_file(None)
    if font_file is None:
        pytest.skip("no Chinese TrueType font here; .ci/run installs fonts-wqy-microhei")
    data = _pdf_with(pdf_fonts.chinese_font(font_file))
    assert b"/FontFile2" in data


def test_without_a_font_file_the_named_cid_font_is_used():
    assert pdf_fonts.chinese_font(None) == "STSong-Light"
    assert b"STSong-Light" in _pdf_with("STSong-Light")


def test_no_font_found_is_a_warning_in_production(monkeypatch, caplog):
    monkeypatch.setattr(pdf_fonts, "KNOWN_FONT_FILES", ())
    app = SimpleNamespace(config={})
    with caplog.at_level(logging.WARNING, logger="wxapp.formats.pdf_fonts"):
        pdf_fonts.configure_pdf_font(app, "", production=True)
    assert app.config["WXAPP_PDF_FONT_FILE"] is None
    assert "fonts-wqy-microhei" in caplog.text


def test_a_configured_font_file_that_is_missing_stops_the_start(base_settings, tmp_path):
    with pytest.raises(ConfigurationError, match="PDF_FONT_PATH"):
        make_app(replace(base_settings, pdf_font_path=str(tmp_path / "nothing.ttf")))
