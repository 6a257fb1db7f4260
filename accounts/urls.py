from django.urls import path

from . import invitation_views, views
from .notifications import views as notification_views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_index, name="settings"),
    path("settings/profile/", views.profile, name="profile"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/api-keys/<uuid:public_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("settings/notifications/", notification_views.notification_settings, name="notification_settings"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/bell/", notification_views.bell, name="notification_bell"),
    path("notifications/read-all/", notification_views.read_all, name="notifications_read_all"),
    path("notifications/<uuid:notification_id>/open/", notification_views.notification_open, name="notification_open"),
    path("avatars/<uuid:public_id>/", views.avatar, name="avatar"),
    path("teams/<uuid:team_id>/avatar/", views.team_avatar, name="team_avatar"),
    path("language/", views.set_language, name="set_language"),
]

urlpatterns += [
    path("teams/invitations/", invitation_views.invitations, name="team_invitations"),
    path("teams/invitations/<uuid:invitation_id>/accept/", invitation_views.invitation_accept,
         name="team_invitation_accept"),
    path("teams/invitations/<uuid:invitation_id>/decline/", invitation_views.invitation_decline,
         name="team_invitation_decline"),
]
