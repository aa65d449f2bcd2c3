"""One resolver for the data that ships with the app (``resources/`` and ``forms/``).

In a source checkout (and an editable install) the folders sit beside the package; in a
wheel or a PyInstaller bundle they are copied into ``imrdesktop/_data/``. Code never
builds these paths itself: it asks here.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def data_root() -> Path:
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "forms").is_dir():
        return bundled
    source = _PACKAGE_DIR.parent
    if (source / "forms").is_dir() and (source / "resources").is_dir():
        return source
    raise FileNotFoundError("IMR Desktop's data folders (forms, resources) are missing")


def resource_path(*parts: str) -> Path:
    return data_root().joinpath("resources", *parts)


def forms_path(*parts: str) -> Path:
    return data_root().joinpath("forms", *parts)
