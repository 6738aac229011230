"""The arrows between layers point down: transports -> services -> infrastructure.

Read from the source (every import, including those inside functions, where a circle hides),
so a new module that breaks the rule fails here before anyone trips over it."""
from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# Below the transports: none of these may know about HTTP or the app that hosts them.
BELOW_TRANSPORTS = ["wxapp/services", "wxapp/jobs", "wxapp/transactions.py"]
TRANSPORTS = ("wxapp.web", "wxapp.handlers", "wxapp.devices", "wxapp.staff_api",
              "miniprogram_api", "wxapp.console", "wxapp.h5")


def _modules(*roots: str) -> dict[str, Path]:
    found = {}
    for root in roots:
        path = PROJECT / root
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            parts = list(file.relative_to(PROJECT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = file
    return found


def _imports(name: str, file: Path) -> set[str]:
    """Every module ``file`` imports, at its top or inside a function."""
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    imported = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            imported.add(base)
            # ``from wxapp.services import notifications`` imports a module, not a name.
            imported.update(f"{base}.{alias.name}" for alias in node.names)
    return imported


def test_services_and_jobs_never_import_flask_or_a_transport_or_the_app_factory():
    wrong = []
    for name, file in _modules(*BELOW_TRANSPORTS).items():
        for imported in _imports(name, file):
            if (imported == "flask" or imported.startswith("flask.")
                    or imported.startswith(TRANSPORTS) or imported == "wxapp.create_app"):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_no_service_module_imports_itself_back_through_another():
    modules = _modules("wxapp/services")
    graph = {name: {m for m in _imports(name, file) if m in modules and m != name}
             for name, file in modules.items()}
    circles = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:  # Tarjan's strongly connected components
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in graph[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert circles == []


def test_the_console_uses_services_never_another_transport():
    others = ("wxapp.handlers", "wxapp.devices", "wxapp.staff_api", "miniprogram_api")
    wrong = [f"{name} imports {imported}"
             for name, file in _modules("wxapp/console").items()
             for imported in _imports(name, file) if imported.startswith(others)]
    assert wrong == []
