"""The portal's version: the one pyproject.toml states, read once."""

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
PORTAL_VERSION: str = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"][
    "version"
]
