"""The bible's endpoints of /api/v1/, one module per section: projects (with their story and
world), characters, world (locations), scenes, moodboards."""

from ninja import Router

from . import characters, moodboards, projects, scenes, world

router = Router()
for section in (projects, characters, world, scenes, moodboards):
    router.add_router("", section.router)
