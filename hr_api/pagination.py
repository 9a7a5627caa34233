"""Query parameters and page/page_size pagination with totals, the same on every list."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, pre_load, validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from statements.errors import BadRequest, FieldError

MAX_PAGE_SIZE = 200
_page_schemas: dict[type[Schema], type[Schema]] = {}


class QuerySchema(Schema):
    """Query parameters: one the endpoint does not know is refused, never ignored, so that a
    misspelt filter cannot return the whole list as if it had filtered it."""

    @pre_load
    def _refuse_unknown(self, data: Any, **_kwargs: Any) -> Any:
        known = {field.data_key or name for name, field in self.fields.items()}
        unknown = sorted(set(data) - known)
        if unknown:
            by_lower = {name.lower(): name for name in known}
            hint = by_lower.get(unknown[0].lower())
            suffix = f"; did you mean {hint!r}?" if hint else ""
            allowed = ", ".join(sorted(known)) or "none"
            message = f"unknown parameter (allowed here: {allowed}){suffix}"
            raise BadRequest(
                f"unknown parameter {unknown[0]!r}: {message}",
                [FieldError(name, message) for name in unknown],
            )
        return data


class NoQuery(QuerySchema):
    """The query of an endpoint that takes no parameters: any one sent is refused."""


class PageQuery(QuerySchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def page_of(item: type[Schema]) -> type[Schema]:
    """The envelope schema of a page of `item`s (one class per item, for the OpenAPI spec)."""
    if item not in _page_schemas:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item), required=True),
                "page": fields.Integer(required=True),
                "page_size": fields.Integer(required=True),
                "total": fields.Integer(required=True),
                "pages": fields.Integer(required=True),
            },
        )
    return _page_schemas[item]


def where_equal(
    statement: Select[Any], query: Mapping[str, Any], columns: Mapping[str, Any]
) -> Select[Any]:
    """`statement` narrowed by the equality filters the caller sent: query parameter name to
    the column it must equal."""
    for name, column in columns.items():
        if name in query:
            statement = statement.where(column == query[name])
    return statement


def paginate(session: Session, query: Select[Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of `query` (already ordered) with the total count."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
    return {
        "items": items,
        "page": page,
        "page_size": page_size,
        "total": total,
        "pages": math.ceil(total / page_size) if total else 0,
    }
