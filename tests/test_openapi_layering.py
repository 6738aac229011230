"""The shapes a client sees live below the transports: no transport imports another, and demo
seeding (which sits above the services) imports none of them. Read from the source, so a lazy
import inside a function counts too."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TRANSPORTS = {
    "miniprogram_api": ROOT / "miniprogram_api",
    "wxapp.staff_api": ROOT / "wxapp" / "staff_api",
    "wxapp.devices": ROOT / "wxapp" / "devices",
    "wxapp.handlers": ROOT / "wxapp" / "handlers",
    "wxapp.h5": ROOT / "wxapp" / "h5",
}


def _imported_modules(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names = found.setdefault(str(path.relative_to(ROOT)), set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return found


def _belongs_to(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
def test_a_transport_imports_no_other_transport(transport):
    others = [name for name in TRANSPORTS if name != transport]
    borrowed = sorted(
        f"{path}: {module}"
        for path, modules in _imported_modules(TRANSPORTS[transport]).items()
        for module in modules
        if any(_belongs_to(module, other) for other in others)
    )
    assert borrowed == [], "shared shapes belong in wxapp/schemas/"


def test_seeding_imports_no_transport():
    borrowed = sorted(
        f"{path}: {module}"
        for path, modules in _imported_modules(ROOT / "wxapp" / "seeding").items()
        for module in modules
        if any(_belongs_to(module, transport) for transport in TRANSPORTS)
    )
    assert borrowed == []
