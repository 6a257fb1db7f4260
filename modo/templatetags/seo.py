"""The canonical address of a public page and its versions in each language.

The language is chosen per browser (cookie, Accept-Language, a signed-in user's setting), so one
address serves both; `?lang=en` / `?lang=id` pin one (accounts.middleware), and those are the
addresses the hreflang links give search engines. The address without `lang` is the x-default."""

from django import template
from django.conf import settings
from django.utils.http import urlencode

from modo.http import absolute_url

register = template.Library()


@register.inclusion_tag("partials/language_links.html", takes_context=True)
def language_links(context):
    request = context.get("request")
    if request is None:
        return {}
    # Canonical links name the production address (SITE_URL), whatever host served the page.
    page = absolute_url(request.path)
    codes = [code for code, _name in settings.LANGUAGES]
    lang = request.GET.get("lang")
    return {
        "canonical": f"{page}?{urlencode({'lang': lang})}" if lang in codes else page,
        "alternates": [(code, f"{page}?{urlencode({'lang': code})}") for code in codes],
        "default": page,
    }
