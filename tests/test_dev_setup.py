"""A newcomer's first hour: every development URL follows PORT and SIM_PORT, and what would
fail later (no simulator where the service calls WeChat, no Chinese font) is said at start."""
from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from wxapp import dev_setup
from wxapp.devices import cabinet_sim
from wxapp.formats import pdf_fonts

PROJECT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_tools_follow_the_ports_scripts_dev_was_given(monkeypatch, app):
    monkeypatch.setenv("PORT", "5610")
    monkeypatch.setenv("SIM_PORT", "8610")
    assert dev_setup.service_url() == "http://127.0.0.1:5610/"
    assert dev_setup.simulator_url() == "http://127.0.0.1:8610/"

    seen = []
    monkeypatch.setattr(cabinet_sim.CabinetClient, "heartbeat",
                        lambda self: seen.append(self.base_url) or (200, {}))
    cabinet_sim.main(["heartbeat"])
    assert seen == ["http://127.0.0.1:5610"]

    called = []
    monkeypatch.setattr("wxapp.wechat.chat.run_chat", lambda url, *a, **k: called.append(url))
    result = app.test_cli_runner().invoke(args=["wx", "chat"])
    assert result.exit_code == 0, result.output
    assert called == ["http://127.0.0.1:5610/wechat"]


def test_without_ports_the_usual_ones_are_used(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("SIM_PORT", raising=False)
    assert dev_setup.service_url() == "http://127.0.0.1:5000/"
    assert dev_setup.simulator_url() == "http://127.0.0.1:8090/"


def test_scripts_dev_derives_the_wechat_and_public_urls_from_the_ports():
    script = (PROJECT / "scripts" / "dev").read_text()
    exports = subprocess.run(
        ["bash", "-c", "\n".join(line for line in script.splitlines()
                                 if line.startswith("export ")) + "\nenv"],
        env={"PORT": "5610", "SIM_PORT": "8610", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True).stdout.splitlines()
    assert "WECHAT_API_BASE_URL=http://127.0.0.1:8610/" in exports
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5610/" in exports


def test_a_simulator_that_answers_where_the_service_calls_is_fine(wechat_sim):
    assert dev_setup.simulator_warning(wechat_sim.base_url, wait_seconds=0) is None


def test_no_simulator_where_the_service_calls_is_named_at_start():
    url = f"http://127.0.0.1:{_closed_port()}/"
    warning = dev_setup.simulator_warning(url, wait_seconds=0)
    assert f"WECHAT_API_BASE_URL={url}" in warning and "nothing answers there" in warning


def test_no_chinese_font_is_said_at_start_with_the_fix(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "KNOWN_FONT_FILES", ())
    warning = dev_setup.font_warning(None)
    assert "apt-get install fonts-wqy-microhei" in warning and "PDF_FONT_PATH" in warning


def test_an_installed_font_needs_no_warning(tmp_path):
    font = tmp_path / "chinese.ttf"
    font.write_bytes(b"")
    assert dev_setup.font_warning(str(font)) is None
