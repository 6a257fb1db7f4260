"""Generation pages, under /studio/: AI text and its drafts, image requests, jobs, animate."""

from django.urls import path

from . import derived_views, views, voice_views

urlpatterns = [
    path("<uuid:public_id>/generate/", views.generate, name="generate"),
    path("<uuid:public_id>/generate/quote/", views.generate_quote, name="generate_quote"),
    path("<uuid:public_id>/drafts/", views.drafts, name="drafts"),
    path("drafts/<uuid:draft_id>/<str:action>/", views.draft_action, name="draft_action"),
    path("characters/<uuid:character_id>/image/", views.character_image, name="character_image"),
    path("moodboards/<uuid:moodboard_id>/image/", views.moodboard_image, name="moodboard_image"),
    path("moodboards/<uuid:moodboard_id>/sheets/", views.moodboard_sheets, name="moodboard_sheets"),
    path("jobs/", views.jobs_list, name="jobs"),
    path("jobs/quote/", views.job_quote, name="job_quote"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<uuid:job_id>/retry/", views.job_retry, name="job_retry"),
    path("animate/<uuid:asset_id>/", views.animate, name="animate"),
    path("upscale/<uuid:asset_id>/", derived_views.upscale_page, name="upscale"),
    path("<uuid:public_id>/restyle/", derived_views.restyle_page, name="restyle"),
    path("sheet-from/<uuid:asset_id>/", derived_views.use_as_sheet, name="use_as_sheet"),
    path("characters/<uuid:character_id>/voice/", voice_views.character_voice, name="character_voice"),
    path("characters/<uuid:character_id>/voice/line/", voice_views.character_line, name="character_line"),
    path("scenes/<uuid:scene_id>/voice/", voice_views.scene_voice, name="scene_voice"),
    path("<uuid:public_id>/lipsync/", voice_views.lipsync_page, name="lipsync"),
]
