from django.urls import path

from . import views, visual_urls
from .exports import views as export_views

app_name = "studio"

urlpatterns = [
    path("", views.project_list, name="projects"),
    path("new/", views.project_new, name="project_new"),
    path("trash/", views.trash, name="trash"),
    path("<uuid:public_id>/", views.project_detail, name="project"),
    path("<uuid:public_id>/delete/", views.project_delete, name="project_delete"),
    path("<uuid:public_id>/restore/", views.project_restore, name="project_restore"),
    path("<uuid:public_id>/story/", views.story, name="story"),
    path("<uuid:public_id>/story/template/", views.beats_template, name="beats_template"),
    path("<uuid:public_id>/story/beats/", views.beat_create, name="beat_create"),
    path("beats/<uuid:beat_id>/", views.beat_edit, name="beat"),
    path("<uuid:public_id>/reorder/<str:kind>/", views.reorder, name="reorder"),
    path("<uuid:public_id>/characters/", views.characters, name="characters"),
    path("characters/<uuid:character_id>/", views.character_detail, name="character"),
    path("characters/<uuid:character_id>/relationships/", views.relationship_add, name="relationship_add"),
    path("characters/<uuid:character_id>/relationships/<uuid:relationship_id>/delete/", views.relationship_delete,
         name="relationship_delete"),
    path("<uuid:public_id>/world/", views.world, name="world"),
    path("locations/<uuid:location_id>/", views.location_detail, name="location"),
    path("<uuid:public_id>/scenes/", views.scenes, name="scenes"),
    path("scenes/<uuid:scene_id>/", views.scene_detail, name="scene"),
    path("<uuid:public_id>/script/", views.script, name="script"),
    path("<uuid:public_id>/publish/", views.publish, name="publish"),
    path("<uuid:public_id>/generate/", views.generate, name="generate"),
    path("<uuid:public_id>/generate/quote/", views.generate_quote, name="generate_quote"),
    path("<uuid:public_id>/drafts/", views.drafts, name="drafts"),
    path("drafts/<uuid:draft_id>/<str:action>/", views.draft_action, name="draft_action"),
    path("<uuid:public_id>/export/<str:fmt>/", export_views.export, name="export"),
    path("import/", export_views.import_project, name="import"),
    path("exports/<uuid:export_id>/", export_views.export_status, name="export_status"),
    path("exports/<uuid:export_id>/download/", export_views.export_download, name="export_download"),
    *visual_urls.urlpatterns,
]
