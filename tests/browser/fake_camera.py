"""What Chromium's fake camera films: a YUV4MPEG2 (y4m) video of a QR code on a white sheet,
drawn with segno as the resident's page draws it (``wxapp/h5/pages.py``: error level M, six
pixels a module, a quiet zone of four modules).

YUV4MPEG2 is a text header, then per frame the word FRAME and the raw planes: luma (one byte a
pixel) and two chroma planes at half width and height (4:2:0). A grey picture needs neutral
chroma (128) only."""
from __future__ import annotations

from pathlib import Path

import segno

WIDTH, HEIGHT = 640, 480
# Video range (BT.601): 16 is black and 235 white.
DARK, LIGHT, NEUTRAL_CHROMA = 16, 235, 128


def write_qr_video(path: Path, text: str, frames: int = 5) -> Path:
    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=6, border=4)]
    size = len(rows)
    assert size <= min(WIDTH, HEIGHT), "the code must fit in the picture"
    top, left = (HEIGHT - size) // 2, (WIDTH - size) // 2
    luma = bytearray([LIGHT]) * (WIDTH * HEIGHT)
    for y, row in enumerate(rows):
        start = (top + y) * WIDTH + left
        luma[start:start + size] = bytes(DARK if dark else LIGHT for dark in row)
    chroma = bytes([NEUTRAL_CHROMA]) * ((WIDTH // 2) * (HEIGHT // 2) * 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode("ascii")
    path.write_bytes(header + frame * frames)
    return path
