from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_index, name="settings"),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/<uuid:public_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("avatars/<uuid:public_id>/", views.avatar, name="avatar"),
    path("language/", views.set_language, name="set_language"),
]
