from django.urls import path

from . import views

app_name = "media"

urlpatterns = [
    path("settings/storage/", views.storage_settings, name="storage_settings"),
    path("media/gallery/", views.gallery, name="gallery"),
    path("media/upload/", views.upload, name="upload"),
    path("media/link/", views.link, name="link"),
    path("media/assets/<uuid:asset_id>/", views.asset_detail, name="asset"),
    path("media/assets/<uuid:asset_id>/file/", views.asset_file, name="file"),
    path("media/assets/<uuid:asset_id>/thumb/", views.asset_thumb, name="thumb"),
    path("media/assets/<uuid:asset_id>/<str:action>/", views.asset_action, name="asset_action"),
    path("media/drive/connect/", views.drive_connect, name="drive_connect"),
    path("media/drive/callback/", views.drive_callback, name="drive_callback"),
    path("media/drive/disconnect/", views.drive_disconnect, name="drive_disconnect"),
    path("showcase/<slug:slug>/files/<uuid:asset_id>/", views.showcase_file, name="showcase_file"),
]
