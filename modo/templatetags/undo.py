"""The "Undo" of a toast: a message whose extra tag is `undo:<project>:<kind>:<id>` (written by
studio's delete views) gets a button that restores what it deleted."""

from django import template

register = template.Library()


@register.filter
def undo_of(message) -> dict | None:
    for tag in (getattr(message, "extra_tags", "") or "").split():
        parts = tag.split(":")
        if len(parts) == 4 and parts[0] == "undo":
            return {"project": parts[1], "kind": parts[2], "id": parts[3]}
    return None
