"""`{% id_url 'studio:asset' asset.public_id %}` (and `… as name`): Django's `{% url %}` for a view
whose first argument is an object's UUID, reversed once per view, other arguments, language and
URLconf, then filled in for each object. A list writes several links per row (the gallery: about
fifteen per file, 24 files) and each `reverse()` walks the URL resolver again: ~380 reversals,
~20 ms of a bible's page, profiled (benchmarks/README.md, figure 5)."""

from uuid import UUID

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

# A UUID no object has: it stands in the reversed pattern for the object's own.
_STANDIN = UUID("00000000-0000-4000-8000-000000000000")
_patterns: dict[tuple, str] = {}


@register.simple_tag
def id_url(viewname: str, public_id, *args) -> str:
    key = (viewname, args, get_language(), get_script_prefix(), get_urlconf())
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = reverse(viewname, args=[_STANDIN, *args])
    return pattern.replace(str(_STANDIN), str(UUID(str(public_id))))
