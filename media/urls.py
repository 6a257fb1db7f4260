"""Media's pages: the private files, storage settings and the Google Drive connection. The
galleries and asset pages around them are studio's (studio/gallery/urls.py)."""

from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("settings/storage/", views.storage_settings, name="storage_settings"),
    path("settings/team/storage/", views.team_storage, name="team_storage"),
    path("media/assets/<uuid:asset_id>/file/", views.asset_file, name="file"),
    path("media/assets/<uuid:asset_id>/thumb/", views.asset_thumb, name="thumb"),
    path("media/drive/connect/", views.drive_connect, name="drive_connect"),
    path("media/drive/callback/", views.drive_callback, name="drive_callback"),
    path("media/drive/disconnect/", views.drive_disconnect, name="drive_disconnect"),
]
