"""Gallery URLs. The project gallery is a studio page; the others keep the /media/… and
/showcase/… paths they had when media served them."""

from django.urls import path, register_converter

from . import views


class _AssetAction:
    """Only a file's actions, so media's own /media/assets/<id>/file/ and thumb/ are never taken."""

    regex = "|".join(views.ACTIONS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_AssetAction, "asset_action")

# Under /studio/.
urlpatterns = [
    path("<uuid:public_id>/gallery/", views.project_gallery, name="gallery"),
]

# At the site's root.
site_urlpatterns = [
    path("media/gallery/", views.gallery, name="target_gallery"),
    path("media/upload/", views.upload, name="asset_upload"),
    path("media/link/", views.link, name="asset_link"),
    path("media/assets/<uuid:asset_id>/", views.asset_detail, name="asset"),
    path("media/assets/<uuid:asset_id>/<asset_action:action>/", views.asset_action, name="asset_action"),
    path("showcase/<slug:slug>/files/<uuid:asset_id>/", views.showcase_file, name="showcase_file"),
]
