"""Field types and pieces shared by the studio's API schemas (studio/*/api.py). The envelope
itself and its error schemas are the kernel's: modo/envelope.py."""

import math
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from modo.inputs import NON_BLANK


def _not_blank(value: str) -> str:
    if not value:
        raise PydanticCustomError("blank", _("This field may not be blank."))
    return value


def Text(max_length: int | None = None):  # noqa: N802 — reads as a type in the schemas
    """A string, trimmed, at most `max_length` characters (the column's size)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length)]


def Required(max_length: int):  # noqa: N802
    """A string that must not be blank once trimmed (the schema says so with its pattern)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length), AfterValidator(_not_blank),
                     Field(json_schema_extra={"pattern": NON_BLANK, "minLength": 1})]


def choices(values) -> type:
    return Literal[tuple(values)]


def sent(payload: Schema) -> dict:
    """The fields the client sent (PATCH: what is absent stays as it is)."""
    return payload.model_dump(exclude_unset=True)


# Where a page of a list is (no docstrings: they would become descriptions in the OpenAPI document).
class PageMeta(Schema):
    page: int
    pages: int
    total: int


class Meta(PageMeta):  # the same, under the name the jobs and assets lists have always published
    pass


def page_of(items, *, page: int, per_page: int) -> tuple[list, dict]:
    """One page of a queryset and its `meta` (the count first, then the page's rows)."""
    total = items.count()
    start = (page - 1) * per_page
    return list(items[start:start + per_page]), {"page": page, "pages": max(1, math.ceil(total / per_page)),
                                                 "total": total}
