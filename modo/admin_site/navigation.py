"""The admin's app list — its sidebar on every page, the index, each app's page — remembered in
the process. Building it asks every ModelAdmin for its permissions, reverses two URLs per model
and sorts lazily translated names (~40 models: ~2.5 ms), and the sidebar renders it through ~40
template rows (~2.5 ms more): on every admin page, about a fifth of the user list's time and
half of the cached analytics page's (bench figure 5).

What the list holds depends on the language, the URLconf and its prefix, and — through each
ModelAdmin's has_*_permission — on the user's permissions: an active superuser holds every one,
anyone else the set Django's backends give (the same queries the list made before, cached on the
user). The admins here answer from those permissions alone or with a constant; one that asked
anything else (a setting, a row) would need that in the key too. The sidebar also marks the page
it is on: its HTML is remembered per path as well."""

from functools import wraps

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

# Keys are few (languages × permission sets × apps, and the admin paths visited for the
# sidebar); the bound only keeps a long-running process from growing with every object's page.
MAX_ENTRIES = 200
_remembered: dict[tuple, object] = {}


def _recall(key: tuple, compute):
    value = _remembered.get(key)
    if value is None:
        if len(_remembered) >= MAX_ENTRIES:
            _remembered.clear()
        value = _remembered[key] = compute()
    return value


def _viewer(request) -> tuple:
    user = request.user
    permissions = ("superuser",) if user.is_active and user.is_superuser else tuple(sorted(user.get_all_permissions()))
    return get_language(), get_script_prefix(), get_urlconf(), permissions


def remembered_app_list(get_app_list):
    """Wraps AdminSite.get_app_list. The list is shared: its readers (the sidebar, the index and
    app pages) never change it."""

    @wraps(get_app_list)
    def app_list(request, app_label=None):
        return _recall(("apps", app_label, *_viewer(request)), lambda: get_app_list(request, app_label))

    return app_list


def sidebar_html(context) -> str:
    """The sidebar's app list (Django's admin/app_list.html), rendered once per viewer's key and path."""
    request = context["request"]
    return _recall(("sidebar", request.path, *_viewer(request)), lambda: render_to_string(
        "admin/app_list.html", {"app_list": context["available_apps"], "show_changelinks": False, "request": request}))


def forget() -> None:
    """Tests: every list built again (an admin's permissions patched, a model registered)."""
    _remembered.clear()
