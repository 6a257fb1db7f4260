from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views
from credits import views as credit_views
from studio import showcase
from studio.bible.views import projects as studio_projects
from studio.watch import views as watch_views

from . import admin_views, views
from .admin_site import navigation
from .api import api

# The admin signs in through allauth's login, which is rate limited (no second, unthrottled door).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "MODO Creator Verse"
admin.site.site_title = _("MODO admin")
# The admin index shows today's AI cost against the alert threshold (admin_views.with_cost_alert).
admin.site.index = admin_views.with_cost_alert(admin.site.index)
# The app list (sidebar, index, app pages) is built once per language and set of permissions.
admin.site.get_app_list = navigation.remembered_app_list(admin.site.get_app_list)

urlpatterns = [
    # First: an API request is matched here without trying the pages' patterns before it (the
    # empty-prefix includes below hold ~100 of them: bench figures 2 and 8).
    path("api/v1/", api.urls),
    path("", showcase.home, name="home"),
    path("features/", views.features, name="features"),
    path("features/studio/", views.features_studio, name="features_studio"),
    path("features/watch/", views.features_watch, name="features_watch"),
    path("pricing/", credit_views.pricing, name="pricing"),
    path("about/", views.about, name="about"),
    path("contact/", views.contact, name="contact"),
    path("showcase/", showcase.showcase, name="showcase"),
    path("watch/", watch_views.watch, name="watch"),
    path("watch/<slug:slug>/<uuid:clip_id>/", watch_views.watch_clip, name="watch_clip"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("csp-report/", views.csp_report, name="csp_report"),
    path("healthz/workers", views.healthz_workers, name="healthz-workers"),
    path("dashboard/", studio_projects.dashboard, name="dashboard"),
    path("", include("studio.urls")),
    path("showcase/<slug:slug>/", showcase.showcase_detail, name="showcase_detail"),
    path("auth/", account_views.AuthLoginView.as_view(), name="auth"),
    # The combined login/register page serves allauth's own login and signup URLs too.
    path("accounts/login/", account_views.AuthLoginView.as_view(), name="account_login"),
    path("accounts/signup/", account_views.AuthSignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("credits.urls")),
    path("", include("media.urls")),
    # The mail vendor's tracking webhook (bounces, complaints): accounts/notifications/bounces.py.
    path("anymail/", include("anymail.urls")),
    path("admin/analytics/", admin.site.admin_view(admin_views.analytics_page), name="admin_analytics"),
    path("admin/", admin.site.urls),
]

handler404 = "modo.views.page_not_found"
handler500 = "modo.views.server_error"
