from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from allauth.account.forms import LoginForm, SignupForm
from allauth.account.views import LoginView, SignupView
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modo.http import safe_next

from . import selectors, services
from .forms import ApiTokenForm, ProfileForm
from .models import User

AUTH_TEMPLATE = "account/auth.html"


def _social_providers(request):
    """Only providers with a configured app (env or admin) get a button: show only what works."""
    providers = []
    for provider_id in ("google", "github"):
        try:
            get_social_adapter().get_app(request, provider=provider_id)
        except SocialApp.DoesNotExist:
            continue
        except SocialApp.MultipleObjectsReturned:
            pass
        providers.append(provider_id)
    return providers


class _AuthPageMixin:
    """The combined login / register page: both forms on one page, one tab active."""

    template_name = AUTH_TEMPLATE
    active_tab = "login"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tab = self.request.GET.get("tab") if self.request.method == "GET" else None
        ctx["active_tab"] = tab if tab in {"login", "register"} else self.active_tab
        ctx["login_form"] = ctx["form"] if self.active_tab == "login" else LoginForm(request=self.request)
        ctx["signup_form"] = ctx["form"] if self.active_tab == "register" else SignupForm()
        ctx["social_providers"] = _social_providers(self.request)
        return ctx


class AuthLoginView(_AuthPageMixin, LoginView):
    active_tab = "login"


class AuthSignupView(_AuthPageMixin, SignupView):
    active_tab = "register"


@login_required
def settings_index(request):
    """Every settings page, in one list (the pages themselves share settings_nav.html)."""
    return render(request, "accounts/settings_index.html")


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.user_profile_update(
                    user=user,
                    display_name=form.cleaned_data["display_name"],
                    locale=form.cleaned_data["locale"],
                    timezone_name=form.cleaned_data["timezone"],
                    avatar=form.cleaned_data["avatar"],
                    remove_avatar=form.cleaned_data["remove_avatar"],
                )
            except services.AvatarError:
                form.add_error("avatar", _("We could not read that image. Upload a JPEG, PNG or WebP file."))
            else:
                translation.activate(user.locale)
                messages.success(request, _("Your profile was saved."))
                response = redirect("accounts:profile")
                _remember_language(response, user.locale)
                return response
    else:
        form = ProfileForm(
            initial={
                "display_name": user.display_name,
                "locale": user.locale or translation.get_language(),
                "timezone": user.timezone,
            }
        )
    return render(request, "accounts/profile.html", {"form": form, "settings_tab": "profile"})


def avatar(request, public_id):
    """Avatars are public (they appear beside published work), served from storage."""
    user = get_object_or_404(User, public_id=public_id, is_active=True)
    if not user.avatar:
        raise Http404
    response = FileResponse(_stored(user.avatar), content_type="image/webp")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _stored(picture):
    """The picture's file, open; a 404 when storage no longer has it (lost or removed by hand)."""
    try:
        return picture.open("rb")
    except OSError as exc:  # FileNotFoundError, or the storage cannot read it
        raise Http404 from exc


@login_required
def team_avatar(request, team_id):
    """A team's picture, for its members only (the URL carries the picture's version, so it may be
    kept by the browser: a new picture is a new URL)."""
    team = selectors.team_with_avatar(user=request.user, public_id=team_id)
    response = FileResponse(_stored(team.avatar), content_type="image/webp")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def api_keys(request):
    created = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            created = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    tokens = selectors.api_token_list(user=request.user)
    return render(
        request,
        "accounts/api_keys.html",
        {"form": form, "tokens": tokens, "created": created, "settings_tab": "api_keys"},
    )


@login_required
@require_POST
def api_key_revoke(request, public_id):
    token = selectors.api_token_get(user=request.user, public_id=public_id)
    services.api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” was revoked. Programs using it will stop working.") % {"name": token.name})
    return redirect("accounts:api_keys")


def _remember_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,
        samesite="Lax",
    )


@require_POST
def set_language(request):
    """Switches the language for this browser and, when signed in, for the account."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    # A page pinned to a language by `?lang=` would undo the switch: back to it without the pin.
    parts = urlsplit(safe_next(request, "/", referer=True))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"])
    next_url = urlunsplit(parts._replace(query=query))
    if request.user.is_authenticated:
        services.user_locale_set(user=request.user, locale=language)
    response = HttpResponseRedirect(next_url)
    _remember_language(response, language)
    return response
