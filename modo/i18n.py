"""Messages stored now and shown later, in the reader's language.

A worker, a provider adapter or a seed has no reader yet: it stores the English source text
(the msgid, marked with gettext_noop) and its parameters, and the page translates them when it
is shown (`stored_message`). Rows written before this rule hold a finished English sentence; it
is translated when it is a known msgid and shown as it is otherwise."""

from collections.abc import Mapping

from django.utils.translation import gettext


def stored_message(text: str, params: Mapping | None = None) -> str:
    """`text` (a msgid) in the active language, with `params` filled in. Never raises: a text
    that is not in the catalogue, or parameters that do not fit, fall back to the stored text."""
    if not text:
        return ""
    translated = gettext(text)
    if not params:
        return translated
    for candidate in (translated, text):
        try:
            return candidate % dict(params)
        except (KeyError, TypeError, ValueError):
            continue
    return text
