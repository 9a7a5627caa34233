"""Domain errors. They know nothing of HTTP; `lrs.problems` maps each to a status code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem found in a request: where (a JSON path such as `object.definition.type`)
    and what."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequest(DomainError):
    """The request is malformed: a parameter, header or body that breaks the specification."""

    code = "bad_request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class StatementInvalid(BadRequest):
    """A statement breaks a rule of xAPI Data section 2."""

    code = "statement_invalid"


class Conflict(DomainError):
    """The request conflicts with what is stored."""

    code = "conflict"


class StatementConflict(Conflict):
    """A different statement is already stored under this id (xAPI Communication 2.1.1)."""

    code = "statement_conflict"


class DocumentConflict(Conflict):
    """A PUT to an existing profile document came without If-Match or If-None-Match
    (xAPI Communication 3.1)."""

    code = "document_conflict"


class NotFound(DomainError):
    """The thing asked for does not exist for this tenant."""

    code = "not_found"


class Forbidden(DomainError):
    """The credential is valid but its scopes do not allow this call."""

    code = "forbidden"


class PreconditionFailed(DomainError):
    """An If-Match / If-None-Match precondition does not hold (xAPI Communication 3.1)."""

    code = "precondition_failed"


class PayloadTooLarge(DomainError):
    """The request or one of its parts is larger than the configured limit."""

    code = "payload_too_large"
