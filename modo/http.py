"""Request helpers every page uses: where to go after a form, whether htmx asked, and the one way
to write an absolute link."""

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def absolute_url(path: str, request=None) -> str:
    """`path` as an absolute URL: on the host the request came to when there is one (the browser's
    own address), else on SITE_URL (emails and callbacks sent from a worker). Every absolute link
    the product writes is made here."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def safe_next(request, default: str, *, referer: bool = False) -> str:
    """The `next` the form (or the link) carries — or, with `referer`, the page the request came
    from — when it points back into this site; `default` otherwise, so a crafted link cannot send
    the creator elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or (request.META.get("HTTP_REFERER", "") if referer else "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def is_htmx(request) -> bool:
    """htmx sent this request (it wants a fragment to swap in, not a whole page or a redirect)."""
    return bool(request.headers.get("HX-Request"))
