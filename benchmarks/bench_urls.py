"""modo.urls plus the bench's minimal view, at /_bench/minimal/ (only under bench_settings)."""

from bench_views import minimal
from django.urls import path

from modo.urls import handler404, handler500  # noqa: F401
from modo.urls import urlpatterns as modo_urlpatterns

urlpatterns = [path("_bench/minimal/", minimal, name="bench-minimal"), *modo_urlpatterns]
