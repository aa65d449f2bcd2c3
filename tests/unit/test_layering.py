"""Only imrdesktop.gui may import PySide6 (DESIGN.md layers; STYLE.md §2.1)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import imrdesktop

PACKAGE_DIR = Path(imrdesktop.__file__).parent
LOWER_LAYERS = ("domain", "storage", "documents", "packet", "services")


def non_gui_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="imrdesktop."):
        name = info.name
        if name.startswith("imrdesktop.gui") or name in ("imrdesktop.app", "imrdesktop.__main__"):
            continue
        names.append(name)
    return sorted(names)


def test_every_non_gui_module_imports_without_qt():
    modules = non_gui_modules()
    assert "imrdesktop.storage.paths" in modules and "imrdesktop.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(repr(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", f"Qt got imported outside gui/: {out.stdout}"


def test_app_entry_point_imports_no_qt_at_module_level():
    code = "import imrdesktop.app, sys; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_lower_layers_never_import_upper_layers():
    """domain imports nothing of ours above it; no lower layer imports gui, cli or app."""
    upper = {"imrdesktop.gui", "imrdesktop.cli", "imrdesktop.app"}
    for layer in LOWER_LAYERS:
        for path in (PACKAGE_DIR / layer).rglob("*.py"):
            for mod in _imports_of(path):
                assert not any(mod == u or mod.startswith(u + ".") for u in upper), (path, mod)
                assert not mod.startswith("PySide6"), (path, mod)
                if layer == "domain":
                    assert not mod.startswith(
                        ("imrdesktop.storage", "imrdesktop.services", "imrdesktop.packet")
                    ), (path, mod)
