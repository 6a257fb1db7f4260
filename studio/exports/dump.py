"""The JSON export: the complete, re-importable dump of a bible. Every field of every section,
with the links between objects written as refs (the objects' public ids as strings), and no owner
data or internal ids. FORMAT, VERSION and the field lists define the file format that
studio.exports.importer reads back.
"""

import json

from django.utils import timezone

from .. import services
from ..models import Project, World
from .bible import Bible

FORMAT = "modo-bible"
VERSION = 1

STORY_FIELDS = ("synopsis", "themes", "structure")
BEAT_FIELDS = ("title", "description")
CHARACTER_FIELDS = services.CHARACTER_FIELDS
LOCATION_FIELDS = services.LOCATION_FIELDS
SCENE_FIELDS = ("title", "mood", "description", "script")
RELATIONSHIP_FIELDS = ("kind", "note")
MOODBOARD_FIELDS = ("title", "pose", "action", "notes")


def _ref(obj) -> str | None:
    return str(obj.public_id) if obj is not None else None


def bible_dump(project: Project) -> dict:
    """The whole bible as plain data (the JSON export). No owner data, no internal ids."""
    bible = Bible(project)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "project": {name: getattr(project, name) for name in services.PROJECT_FIELDS},
        "story": {name: getattr(bible.story, name) for name in STORY_FIELDS},
        "beats": [{"ref": _ref(b), "order": b.order, **{f: getattr(b, f) for f in BEAT_FIELDS}} for b in bible.beats],
        "characters": [
            {"ref": _ref(c), "order": c.order, **{f: getattr(c, f) for f in CHARACTER_FIELDS}} for c in bible.characters
        ],
        "relationships": [
            {"source": _ref(r.source), "target": _ref(r.target), "kind": r.kind, "note": r.note}
            for r in bible.relationships
        ],
        "world": {name: getattr(bible.world, name) for name in World.TEXT_FIELDS},
        "locations": [
            {"ref": _ref(loc), "order": loc.order, **{f: getattr(loc, f) for f in LOCATION_FIELDS}}
            for loc in bible.locations
        ],
        "scenes": [
            {
                "ref": _ref(s), "order": s.order, "title": s.title, "beat": _ref(s.beat), "location": _ref(s.location),
                "characters": [_ref(c) for c in s.characters.all()],
                "mood": s.mood, "description": s.description, "script": s.script,
            }
            for s in bible.scenes
        ],
        "moodboards": [
            {
                "ref": _ref(m), "order": m.order, **{f: getattr(m, f) for f in MOODBOARD_FIELDS},
                "scene": _ref(m.scene), "location": _ref(m.location), "characters": [_ref(c) for c in m.characters.all()],
            }
            for m in bible.moodboards
        ],
    }


def bible_json(project: Project) -> bytes:
    return json.dumps(bible_dump(project), ensure_ascii=False, indent=2).encode("utf-8")
