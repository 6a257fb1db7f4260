"""What every API input schema shares (JSON bodies and query strings alike), stated in the
OpenAPI document as the code enforces it:

- `Input`, the base of every input schema: no text in it may hold a NUL character (PostgreSQL
  refuses one in a text column; Django's forms refuse it on the pages' side the same way), a
  422 INVALID_INPUT naming the field. Each string property carries the pattern that says so.
- `PageNumber`: a list's page, from 1 to MAX_PAGE (past that the offset would not fit the
  database's integer; a page past the last real one answers an empty list)."""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

NO_NUL = "^[^\\x00]*$"
NON_BLANK = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"  # and something besides spaces
MAX_PAGE = 10_000

PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


def _holds_nul(value) -> bool:
    """A string, or a list of them, with a NUL (an object inside is an Input of its own)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def state_no_nul(schema: dict) -> None:
    """Adds the pattern to every free-text string property (not to ids, dates or choices)."""
    for prop in schema.get("properties", {}).values():
        for option in (prop, *prop.get("anyOf", ()), prop.get("items", {})):
            if option.get("type") == "string" and not {"format", "enum", "const", "pattern"} & option.keys():
                option["pattern"] = NO_NUL


class Input(Schema):
    model_config = {"json_schema_extra": state_no_nul}  # a subclass with its own extra calls it too

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        if _holds_nul(value):
            raise PydanticCustomError("nul_character", _("Text may not contain a NUL character."))
        return value
