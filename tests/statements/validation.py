"""Helpers the validation suites share."""

from __future__ import annotations

from typing import Any

import pytest

from statements.errors import StatementInvalid
from statements.validate import validate_statements


def rejected_paths(stmt: Any) -> list[str]:
    """The field paths validation names for a statement it must reject."""
    with pytest.raises(StatementInvalid) as caught:
        validate_statements([stmt])
    return [error.path for error in caught.value.errors]


def assert_rejected_at(stmt: Any, path: str) -> None:
    paths = rejected_paths(stmt)
    assert path in paths, f"expected an error at {path!r}, got {paths}"
