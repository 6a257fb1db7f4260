"""The site's URLs plus one view that breaks, for the error page tests."""

from django.urls import path

from modo.urls import handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("the boom view broke")


urlpatterns = [path("boom/", boom), *urlpatterns]
