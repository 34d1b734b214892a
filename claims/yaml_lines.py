"""YAML read safely, each mapping remembering the line it starts on.

The curated files (the review, the vocabulary) are edited by hand: every error
in them names the file and the line, found from the mapping it is about.
"""

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A mapping of the file, with the line (1-based) it starts on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line each mapping starts on."""


def _construct_line_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_line_mapping
)


def load_with_lines(text: str) -> Any:
    """The document; raises yaml.YAMLError as yaml.load does."""
    return yaml.load(text, Loader=_LineLoader)


def error_line(exc: yaml.YAMLError) -> int:
    """The line a YAML syntax error points at, or 0."""
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark else 0


def read_with_lines(path: Path, error: type[Exception]) -> Any:
    """Read and parse a curated file; an unreadable file or a YAML syntax error
    raises `error`, naming the file (and the line)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the file ({exc.strerror}).") from exc
    try:
        return load_with_lines(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}:{error_line(exc)}: invalid YAML: {problem}.") from exc
