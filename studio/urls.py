"""Every studio URL, by feature: the creator pages under /studio/, plus the gallery pages that
keep the /media/… and /showcase/… paths media used to serve them under."""

from django.urls import include, path

from .bible import urls as bible
from .exports import views as export_views
from .gallery import urls as gallery
from .generate import urls as generate

app_name = "studio"

exports = [
    path("<uuid:public_id>/export/<str:fmt>/", export_views.export, name="export"),
    path("import/", export_views.import_project, name="import"),
    path("exports/<uuid:export_id>/", export_views.export_status, name="export_status"),
    path("exports/<uuid:export_id>/download/", export_views.export_download, name="export_download"),
]

urlpatterns = [
    path("studio/", include([*bible.urlpatterns, *generate.urlpatterns, *gallery.urlpatterns, *exports])),
    *gallery.site_urlpatterns,
]
