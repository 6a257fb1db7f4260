"""Tidying and joining creator text, shared by the drafts (text.py), the phrasebooks and the title
card: None, '' and 'None' become '', lists become 'a, b and c', sentences get a capital and a stop."""

import re


def _clean(value) -> str:
    """Creator text as one tidy string; None, empty and 'None' become ''."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(filter(None, (_clean(v) for v in value)))
    if isinstance(value, dict):
        return _clean(value.get("name") or value.get("title")) or "; ".join(
            f"{k}: {_clean(v)}" for k, v in value.items() if _clean(v))
    text = re.sub(r"\s+", " ", str(value)).strip()
    return "" if text.lower() in {"none", "null", "n/a", "undefined"} else text


def _items(value) -> list[str]:
    """A list, or creator text split at commas, semicolons, lines and "and"/"dan"."""
    if isinstance(value, (list, tuple)):
        return [c for c in (_clean(v) for v in value) if c]
    return [c.strip() for c in re.split(r"[,;\n]|\b(?:and|dan)\b", _clean(value)) if c.strip()]


def _sentence(text: str) -> str:
    text = _clean(text)
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…\"'”)" else text + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text and not text[:2].isupper() else text


def _join(items: list[str], word: str = "and", serial: bool = False) -> str:
    """'a, b and c'; with `serial`, 'a, b, dan c' (the Indonesian list comma)."""
    items = [i for i in items if i]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + ("," if serial and len(items) > 2 else "") + f" {word} " + items[-1]
