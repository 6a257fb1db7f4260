"""Pages of visual generation: jobs, moodboards, the project gallery (see studio/jobs.py)."""

from django.urls import path

from . import visual_views as views

urlpatterns = [
    path("jobs/", views.jobs_list, name="jobs"),
    path("jobs/quote/", views.job_quote, name="job_quote"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
    path("characters/<uuid:character_id>/image/", views.character_image, name="character_image"),
    path("<uuid:public_id>/moodboards/", views.moodboard_list, name="moodboards"),
    path("moodboards/<uuid:moodboard_id>/", views.moodboard_detail, name="moodboard"),
    path("moodboards/<uuid:moodboard_id>/image/", views.moodboard_image, name="moodboard_image"),
    path("animate/<uuid:asset_id>/", views.animate, name="animate"),
    path("<uuid:public_id>/gallery/", views.project_gallery, name="gallery"),
]
