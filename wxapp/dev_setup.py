"""The development setup that ``scripts/dev`` starts: two ports, every URL derived from them,
and the checks it runs at start so that what would fail later, quietly, is said at once.

``PORT`` (default 5000) is the service, ``SIM_PORT`` (default 8090) the WeChat simulator.
The simulator, ``wx chat`` and ``cabinet_sim`` read the same two variables, so
``PORT=5610 SIM_PORT=8610`` in front of any of them reaches the same pair.
"""
from __future__ import annotations

import os
import sys
import time

import requests

DEFAULT_PORT = 5000
DEFAULT_SIM_PORT = 8090


def service_port() -> int:
    return int(os.environ.get("PORT") or DEFAULT_PORT)


def simulator_port() -> int:
    return int(os.environ.get("SIM_PORT") or DEFAULT_SIM_PORT)


def service_url() -> str:
    return f"http://127.0.0.1:{service_port()}/"


def simulator_url() -> str:
    return f"http://127.0.0.1:{simulator_port()}/"


def font_warning(configured: str | None) -> str | None:
    """Without a Chinese TrueType font, certificates only name one and most viewers show
    boxes; the service says so only in production, so development hears it here."""
    from wxapp.formats.pdf_fonts import find_font_file

    if find_font_file(configured):
        return None
    return ("no Chinese TrueType font installed: certificates and letters will show boxes "
            "instead of Chinese in most PDF viewers. Fix: apt-get install fonts-wqy-microhei "
            "(or set PDF_FONT_PATH to a .ttf/.ttc with Chinese glyphs), then restart.")


def simulator_warning(wechat_api_base_url: str, wait_seconds: float = 10.0) -> str | None:
    """None once the simulator answers at the URL the service will call; else what is wrong."""
    probe = wechat_api_base_url.rstrip("/") + "/sim/outbox"
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if requests.get(probe, timeout=1).status_code == 200:
                return None
            problem = "something answers there, but not the simulator"
        except requests.RequestException:
            problem = "nothing answers there"
        if time.monotonic() >= deadline:
            return (f"the service will call WeChat at WECHAT_API_BASE_URL={wechat_api_base_url} "
                    f"but {problem} (the simulator was started on SIM_PORT={simulator_port()}): "
                    "sign-in will answer 503 微信登录服务暂时繁忙. Unset WECHAT_API_BASE_URL to "
                    "follow SIM_PORT, or free that port.")
        time.sleep(0.2)


def main() -> int:
    """``python -m wxapp.dev_setup``: print each problem; never stops the start."""
    problems = [p for p in (font_warning(os.environ.get("PDF_FONT_PATH")),
                            simulator_warning(os.environ.get("WECHAT_API_BASE_URL")
                                              or simulator_url())) if p]
    for problem in problems:
        print(f"WARNING: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
