"""The bible's pages, under /studio/: projects, story, characters, world, scenes, publish, moodboards."""

from django.urls import path

from .views import characters, moodboards, projects, publish, scenes, story, trash, world

urlpatterns = [
    path("", projects.project_list, name="projects"),
    path("new/", projects.project_new, name="project_new"),
    path("trash/", projects.trash, name="trash"),
    path("<uuid:public_id>/", projects.project_detail, name="project"),
    path("<uuid:public_id>/delete/", projects.project_delete, name="project_delete"),
    path("<uuid:public_id>/restore/", projects.project_restore, name="project_restore"),
    path("<uuid:public_id>/move/", projects.project_move, name="project_move"),
    path("<uuid:public_id>/trash/", trash.section_trash, name="section_trash"),
    path("<uuid:public_id>/reorder/<str:kind>/", projects.reorder, name="reorder"),
    path("<uuid:public_id>/story/", story.story, name="story"),
    path("<uuid:public_id>/story/template/", story.beats_template, name="beats_template"),
    path("<uuid:public_id>/story/beats/", story.beat_create, name="beat_create"),
    path("beats/<uuid:beat_id>/", story.beat_edit, name="beat"),
    path("<uuid:public_id>/characters/", characters.characters, name="characters"),
    path("characters/<uuid:character_id>/", characters.character_detail, name="character"),
    path("characters/<uuid:character_id>/relationships/", characters.relationship_add, name="relationship_add"),
    path("characters/<uuid:character_id>/relationships/<uuid:relationship_id>/delete/",
         characters.relationship_delete, name="relationship_delete"),
    path("<uuid:public_id>/world/", world.world, name="world"),
    path("locations/<uuid:location_id>/", world.location_detail, name="location"),
    path("<uuid:public_id>/scenes/", scenes.scenes, name="scenes"),
    path("scenes/<uuid:scene_id>/", scenes.scene_detail, name="scene"),
    path("<uuid:public_id>/script/", scenes.script, name="script"),
    path("<uuid:public_id>/publish/", publish.publish, name="publish"),
    path("<uuid:public_id>/moodboards/", moodboards.moodboard_list, name="moodboards"),
    path("moodboards/<uuid:moodboard_id>/", moodboards.moodboard_detail, name="moodboard"),
]
