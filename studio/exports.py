"""Export an IP bible (JSON, a Markdown zip, a print-ready HTML pitch bible) and import a JSON
export back as a new project.

The JSON export is the complete, re-importable one: every field of every section, with the links
between objects written as refs (the objects' public ids as strings). Import maps refs to the new
objects it creates, so the copy gets its own public ids and nothing of the original's owner.

Exports of large projects run in the background (studio.tasks.export_project). Their status
lives in the cache and, because the cache of a `make run` install is per process, in a small
status file next to the export in default storage; either one is enough to follow the job.
"""

import base64
import io
import json
import logging
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import selectors, services
from .models import Beat, Character, Location, Moodboard, Project, Relationship, Scene, Story, World
from .moodboards import moodboard_create

logger = logging.getLogger(__name__)

FORMAT = "modo-bible"
VERSION = 1
IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Above this many scenes + characters, JSON and zip exports are built by a worker.
DEFAULT_EXPORT_SYNC_LIMIT = 200
# How long a background export can be downloaded (its status and its file).
EXPORT_TTL_SECONDS = 24 * 3600

# fmt -> (file extension, content type)
FILE_FORMATS = {
    "json": ("json", "application/json"),
    "zip": ("zip", "application/zip"),
}

STORY_FIELDS = ("synopsis", "themes", "structure")
BEAT_FIELDS = ("title", "description")
CHARACTER_FIELDS = services.CHARACTER_FIELDS
LOCATION_FIELDS = services.LOCATION_FIELDS
SCENE_FIELDS = ("title", "mood", "description", "script")
RELATIONSHIP_FIELDS = ("kind", "note")
MOODBOARD_FIELDS = ("title", "pose", "action", "notes")


# --- reading a project -----------------------------------------------------------------------

class _Bible:
    """Every section of one project, loaded in a fixed number of queries."""

    def __init__(self, project: Project):
        self.project = project
        self.story = Story.objects.filter(project=project).first() or Story(project=project)
        self.world = World.objects.filter(project=project).first() or World(project=project)
        self.beats = list(project.beats.all())
        self.characters = list(project.characters.select_related("primary_image"))
        self.locations = list(project.locations.all())
        self.relationships = list(
            Relationship.objects.filter(source__project=project).select_related("source", "target").order_by("id")
        )
        self.scenes = list(selectors.scenes_of(project))
        self.moodboards = list(selectors.moodboards_of(project))

    @cached_property
    def images(self) -> dict:
        """The pictures that go with the text: {"cover": Image, <character pk>: Image} for the
        project cover and each character's primary image that can be read now."""
        slugs = _unique_slugs([c.name for c in self.characters], "character")
        wanted = [("cover", "cover", self.project.cover)] + [
            (c.pk, f"characters/{slug}", c.primary_image) for c, slug in zip(self.characters, slugs, strict=True)]
        out = {}
        for key, stem, asset in wanted:
            data = _asset_bytes(asset)
            if data is not None:
                out[key] = Image(f"{stem}.{asset.mime.rsplit('/', 1)[-1].replace('jpeg', 'jpg')}", asset.mime, data)
        return out

    def relationships_by_character(self) -> dict[int, list[dict]]:
        """Both ends: each relationship is listed under its source and under its target."""
        out = defaultdict(list)
        for r in self.relationships:
            kind = r.get_kind_display()
            out[r.source_id].append({"other": r.target, "kind": kind, "note": r.note, "outgoing": True, "relationship": r})
            out[r.target_id].append({"other": r.source, "kind": kind, "note": r.note, "outgoing": False, "relationship": r})
        return out


@dataclass(frozen=True)
class Image:
    name: str  # its path under images/ in the zip
    mime: str
    data: bytes

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"


def _asset_bytes(asset) -> bytes | None:
    """An image's bytes for an export, or None (none set, deleted, or its file out of reach)."""
    from media.services import asset_open

    if asset is None or asset.deleted_at is not None or not asset.is_accessible:
        return None
    try:
        return asset_open(asset=asset)
    except Exception:  # a Drive that does not answer must not fail the whole export
        logger.warning("export: could not read an image, left out", exc_info=True)
        return None


def export_size(project: Project) -> int:
    return project.characters.count() + project.scenes.count()


def export_is_large(project: Project) -> bool:
    return export_size(project) > getattr(settings, "EXPORT_SYNC_LIMIT", DEFAULT_EXPORT_SYNC_LIMIT)


def _ref(obj) -> str | None:
    return str(obj.public_id) if obj is not None else None


def bible_dump(project: Project) -> dict:
    """The whole bible as plain data (the JSON export). No owner data, no internal ids."""
    bible = _Bible(project)
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


# --- Markdown zip ----------------------------------------------------------------------------



def _text(value: str) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _section(title: str, body: str, level: int = 2) -> str:
    body = _text(body)
    return f"{'#' * level} {title}\n\n{body}\n\n" if body else ""


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks inside the text, so a script can hold ```."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _unique_slugs(names: list[str], fallback: str) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for index, name in enumerate(names, start=1):
        base = slugify(name)[:60].strip("-") or f"{fallback}-{index}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def _display(obj, name: str) -> str:
    return getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""


def _meta_list(pairs) -> str:
    lines = [f"- **{label}:** {value}" for label, value in pairs if value]
    return "\n".join(lines) + "\n\n" if lines else ""


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _markdown_files(bible: _Bible) -> list[tuple[str, str]]:
    project, story, world = bible.project, bible.story, bible.world
    char_paths = {c.pk: f"{slug}.md" for c, slug in zip(bible.characters, _unique_slugs(
        [c.name for c in bible.characters], "character"), strict=True)}
    width = max(2, len(str(len(bible.scenes))))
    scene_paths = {
        s.pk: f"{n:0{width}d}-{slug}.md"
        for n, (s, slug) in enumerate(zip(bible.scenes, _unique_slugs([s.title for s in bible.scenes], "scene"), strict=True), start=1)
    }
    files = []

    readme = f"# {project.title}\n\n"
    if "cover" in bible.images:
        readme += f"![{project.title}](images/{bible.images['cover'].name})\n\n"
    if project.logline:
        readme += f"> {_text(project.logline)}\n\n"
    readme += _meta_list([
        (_label(Project, "genre"), _display(project, "genre")),
        (_label(Project, "format"), _display(project, "format")),
        (_label(Project, "tone"), project.tone),
        (_label(Project, "target_audience"), project.target_audience),
        (_label(Project, "status"), _display(project, "status")),
    ])
    readme += _section(_label(Project, "premise"), project.premise)
    readme += f"## {_('Contents')}\n\n- [{_('Story')}](story.md)\n- {_('Characters')}\n"
    readme += "".join(f"  - [{c.name}](characters/{char_paths[c.pk]})\n" for c in bible.characters)
    readme += f"- [{_('World')}](world.md)\n- {_('Scenes')}\n"
    readme += "".join(f"  - [{s.title}](scenes/{scene_paths[s.pk]})\n" for s in bible.scenes)
    readme += "\n---\n\n" + _("Exported from MODO Creator Verse on %(date)s.") % {
        "date": timezone.localdate().isoformat()} + "\n"
    files.append(("README.md", readme))

    story_md = f"# {_('Story')}: {project.title}\n\n"
    story_md += _section(_label(Story, "synopsis"), story.synopsis)
    story_md += _section(_label(Story, "themes"), story.themes)
    story_md += f"## {_label(Story, 'structure')}\n\n{story.get_structure_display()}\n\n"
    if bible.beats:
        story_md += f"## {_('Beats')}\n\n"
        for n, beat in enumerate(bible.beats, start=1):
            story_md += f"### {n}. {beat.title}\n\n"
            if _text(beat.description):
                story_md += f"{_text(beat.description)}\n\n"
            beat_scenes = [s for s in bible.scenes if s.beat_id == beat.pk]
            if beat_scenes:
                story_md += "".join(f"- [{s.title}](scenes/{scene_paths[s.pk]})\n" for s in beat_scenes) + "\n"
    files.append(("story.md", story_md))

    relationships = bible.relationships_by_character()
    for character in bible.characters:
        md = f"# {character.name}\n\n"
        if character.pk in bible.images:
            md += f"![{character.name}](../images/{bible.images[character.pk].name})\n\n"
        md += _meta_list([(_label(Character, "role"), character.get_role_display()),
                          (_label(Character, "age"), character.age)])
        for name in Character.TEXT_FIELDS:
            md += _section(_label(Character, name), getattr(character, name))
        links = relationships.get(character.pk, [])
        if links:
            md += f"## {_('Relationships')}\n\n"
            for link in links:
                other = f"[{link['other'].name}]({char_paths[link['other'].pk]})"
                source, target = (character.name, other) if link["outgoing"] else (other, character.name)
                note = f" — {_text(link['note'])}" if link["note"] else ""
                md += f"- {source} → **{link['kind']}** → {target}{note}\n"
            md += "\n"
        files.append((f"characters/{char_paths[character.pk]}", md))

    world_md = f"# {_('World')}: {project.title}\n\n"
    for name in World.TEXT_FIELDS:
        world_md += _section(_label(World, name), getattr(world, name))
    if bible.locations:
        world_md += f"## {_('Locations')}\n\n"
        for location in bible.locations:
            world_md += _section(location.name, location.description, level=3) or f"### {location.name}\n\n"
            if _text(location.visual_notes):
                world_md += f"**{_label(Location, 'visual_notes')}:** {_text(location.visual_notes)}\n\n"
    files.append(("world.md", world_md))

    for n, scene in enumerate(bible.scenes, start=1):
        md = f"# {n}. {scene.title}\n\n"
        md += _meta_list([
            (_("Beat"), scene.beat.title if scene.beat else ""),
            (_("Location"), scene.location.name if scene.location else ""),
            (_("Characters"), ", ".join(f"[{c.name}](../characters/{char_paths[c.pk]})" for c in scene.characters.all())),
            (_label(Scene, "mood"), scene.mood),
        ])
        md += _section(_label(Scene, "description"), scene.description)
        # Only blank lines are trimmed: a screenplay's first line may be indented on purpose.
        script = (scene.script or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
        if script:
            fence = _fence(script)
            md += f"## {_label(Scene, 'script')}\n\n{fence}\n{script}\n{fence}\n"
        files.append((f"scenes/{scene_paths[scene.pk]}", md))
    return files


def bible_markdown_zip(project: Project) -> bytes:
    """README.md, story.md, characters/<slug>.md, world.md, scenes/<NN>-<slug>.md and images/."""
    bible = _Bible(project)
    stamp = timezone.localtime().timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in _markdown_files(bible):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
        for image in bible.images.values():
            archive.writestr(zipfile.ZipInfo(f"images/{image.name}", date_time=stamp), image.data)
    return buffer.getvalue()


def export_bytes(project: Project, fmt: str) -> bytes:
    return {"json": bible_json, "zip": bible_markdown_zip}[fmt](project)


def export_filename(project: Project, fmt: str) -> str:
    return f"{project.slug or 'bible'}.{FILE_FORMATS[fmt][0] if fmt in FILE_FORMATS else fmt}"


# --- HTML pitch bible ------------------------------------------------------------------------

def pitch_bible_html(project: Project, *, request=None, for_download: bool = False) -> str:
    """A standalone, print-ready page (A4, one section a page) that a browser saves as PDF."""
    bible = _Bible(project)
    relationships = bible.relationships_by_character()
    return render_to_string("studio/export/pitch_bible.html", {
        "project": project, "story": bible.story, "world": bible.world, "beats": bible.beats,
        "characters": [{"character": c, "relationships": relationships.get(c.pk, []), "image": bible.images.get(c.pk)}
                       for c in bible.characters],
        "locations": bible.locations, "scenes": bible.scenes, "cover": bible.images.get("cover"),
        "for_download": for_download, "exported_at": timezone.now(),
    }, request=request)


# --- import ----------------------------------------------------------------------------------

class BundleInvalid(Exception):
    """The uploaded file is not a bible this version can import; `message` says why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _where(kind: str, index: int | None = None) -> str:
    labels = {
        "project": _("Project"), "story": _("Story"), "world": _("World"),
        "beat": _("Beat %(n)s"), "character": _("Character %(n)s"), "relationship": _("Relationship %(n)s"),
        "location": _("Location %(n)s"), "scene": _("Scene %(n)s"), "moodboard": _("Moodboard %(n)s"),
    }
    return labels[kind] % {"n": index} if index is not None else labels[kind]


def _clean_fields(model, data, names, where: str) -> dict:
    """Each value checked by the model field itself (type, length, choices, blank)."""
    if not isinstance(data, dict):
        raise BundleInvalid(_("%(where)s: expected an object.") % {"where": where})
    out = {}
    for name in names:
        field = model._meta.get_field(name)
        value = data.get(name)
        if value is None:
            value = field.get_default() if field.has_default() else ""
        if not isinstance(value, str):
            raise BundleInvalid(_("%(where)s, %(field)s: expected text.") % {"where": where, "field": field.verbose_name})
        value = value.strip()
        try:
            out[name] = field.clean(value, None)
        except ValidationError as exc:
            raise BundleInvalid(_("%(where)s, %(field)s: %(error)s") % {
                "where": where, "field": field.verbose_name, "error": " ".join(exc.messages)}) from None
    return out


def _list(bundle: dict, key: str) -> list:
    value = bundle.get(key, [])
    if not isinstance(value, list):
        raise BundleInvalid(_("“%(key)s” must be a list.") % {"key": key})
    return value


def _order(item: dict, position: int, where: str) -> int:
    order = item.get("order", position)
    if type(order) is not int or order < 0:  # bool is an int subclass: refused too
        raise BundleInvalid(_("%(where)s: “order” must be a whole number, 0 or more.") % {"where": where})
    return order


def _refs(items: list, kind: str) -> list[str]:
    refs = []
    for n, item in enumerate(items, start=1):
        ref = item.get("ref") if isinstance(item, dict) else None
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 100:
            raise BundleInvalid(_("%(where)s: a “ref” is missing.") % {"where": _where(kind, n)})
        if ref in refs:
            raise BundleInvalid(_("%(where)s: the ref “%(ref)s” is used twice.") % {"where": _where(kind, n), "ref": ref})
        refs.append(ref)
    return refs


def _link(value, known, where: str, what: str):
    if value is None:
        return None
    if not isinstance(value, str) or value not in known:
        raise BundleInvalid(_("%(where)s: it links to a %(what)s that is not in the file.") % {"where": where, "what": what})
    return value


def _sorted_items(items: list, kind: str, model, names) -> list[dict]:
    refs = _refs(items, kind)
    cleaned = []
    for n, (ref, item) in enumerate(zip(refs, items, strict=True), start=1):
        where = _where(kind, n)
        cleaned.append({"ref": ref, "order": _order(item, n, where), **_clean_fields(model, item, names, where)})
    # Creation follows `order`; the file's own sequence breaks ties.
    return sorted(cleaned, key=lambda item: item["order"])


def bundle_parse(raw: bytes) -> dict:
    """Checks an uploaded JSON export completely and returns it cleaned, ready for
    bible_import. Raises BundleInvalid with a message for the creator; creates nothing."""
    if len(raw) > IMPORT_MAX_BYTES:
        raise BundleInvalid(_("The file is larger than 5 MB."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise BundleInvalid(_("This file is not valid JSON. Choose a .json file exported from MODO.")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleInvalid(_("This is not a MODO bible export. Choose a .json file exported from MODO."))
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise BundleInvalid(_("This export uses a format version (%(version)s) this site cannot read. It reads version %(supported)s.")
                            % {"version": str(version)[:20], "supported": VERSION})
    if "project" not in data:
        raise BundleInvalid(_("The file has no “project” section."))

    bundle = {
        "project": _clean_fields(Project, data["project"], services.PROJECT_FIELDS, _where("project")),
        "story": _clean_fields(Story, data.get("story") or {}, STORY_FIELDS, _where("story")),
        "world": _clean_fields(World, data.get("world") or {}, World.TEXT_FIELDS, _where("world")),
        "beats": _sorted_items(_list(data, "beats"), "beat", Beat, BEAT_FIELDS),
        "characters": _sorted_items(_list(data, "characters"), "character", Character, CHARACTER_FIELDS),
        "locations": _sorted_items(_list(data, "locations"), "location", Location, LOCATION_FIELDS),
    }
    beats = {b["ref"] for b in bundle["beats"]}
    characters = {c["ref"] for c in bundle["characters"]}
    locations = {loc["ref"] for loc in bundle["locations"]}

    bundle["relationships"] = []
    for n, item in enumerate(_list(data, "relationships"), start=1):
        where = _where("relationship", n)
        fields = _clean_fields(Relationship, item, RELATIONSHIP_FIELDS, where)
        source = _link(item.get("source"), characters, where, _("character"))
        target = _link(item.get("target"), characters, where, _("character"))
        if source is None or target is None or source == target:
            raise BundleInvalid(_("%(where)s: it must link two different characters.") % {"where": where})
        bundle["relationships"].append({"source": source, "target": target, **fields})

    scenes = _list(data, "scenes")
    refs = _refs(scenes, "scene")
    bundle["scenes"] = []
    for n, (ref, item) in enumerate(zip(refs, scenes, strict=True), start=1):
        where = _where("scene", n)
        cast = item.get("characters") or []
        if not isinstance(cast, list):
            raise BundleInvalid(_("%(where)s: “characters” must be a list.") % {"where": where})
        bundle["scenes"].append({
            "ref": ref, "order": _order(item, n, where), **_clean_fields(Scene, item, SCENE_FIELDS, where),
            "beat": _link(item.get("beat"), beats, where, _("beat")),
            "location": _link(item.get("location"), locations, where, _("location")),
            "characters": list(dict.fromkeys(_link(c, characters, where, _("character")) for c in cast)),
        })
    bundle["scenes"].sort(key=lambda item: item["order"])

    scene_refs = {s["ref"] for s in bundle["scenes"]}
    boards = _list(data, "moodboards")  # absent in exports made before moodboards existed
    bundle["moodboards"] = []
    for n, (ref, item) in enumerate(zip(_refs(boards, "moodboard"), boards, strict=True), start=1):
        where = _where("moodboard", n)
        cast = item.get("characters") or []
        if not isinstance(cast, list):
            raise BundleInvalid(_("%(where)s: “characters” must be a list.") % {"where": where})
        bundle["moodboards"].append({
            "ref": ref, "order": _order(item, n, where), **_clean_fields(Moodboard, item, MOODBOARD_FIELDS, where),
            "scene": _link(item.get("scene"), scene_refs, where, _("scene")),
            "location": _link(item.get("location"), locations, where, _("location")),
            "characters": list(dict.fromkeys(_link(c, characters, where, _("character")) for c in cast)),
        })
    bundle["moodboards"].sort(key=lambda item: item["order"])
    return bundle


def _import_title(*, user, title: str) -> str:
    if not Project.objects.filter(owner=user, deleted_at__isnull=True, title=title).exists():
        return title
    template = _("%(title)s (imported)")
    room = Project._meta.get_field("title").max_length - len(template % {"title": ""})
    return template % {"title": title[:room].rstrip()}


def bible_import(*, user, bundle: dict) -> Project:
    """Creates a new project owned by `user` from a bundle checked by bundle_parse, all or
    nothing. The title gets " (imported)" when the user already has a project of that title.
    Raises credits.exceptions.PlanRequired at the plan's project limit (nothing is created)."""
    fields = dict(bundle["project"])
    fields["title"] = _import_title(user=user, title=fields["title"])
    with transaction.atomic():
        project = services.project_create(owner=user, **fields)
        services.story_update(project=project, **bundle["story"])
        services.world_update(project=project, **bundle["world"])
        beats = {b["ref"]: services.beat_create(project=project, **{f: b[f] for f in BEAT_FIELDS})
                 for b in bundle["beats"]}
        characters = {
            c["ref"]: services.character_create(project=project, **{f: c[f] for f in CHARACTER_FIELDS})
            for c in bundle["characters"]
        }
        for r in bundle["relationships"]:
            services.relationship_add(source=characters[r["source"]], target=characters[r["target"]],
                                      kind=r["kind"], note=r["note"])
        locations = {
            loc["ref"]: services.location_create(project=project, **{f: loc[f] for f in LOCATION_FIELDS})
            for loc in bundle["locations"]
        }
        scenes = {
            s["ref"]: services.scene_create(
                project=project, beat=beats.get(s["beat"]), location=locations.get(s["location"]),
                characters=[characters[ref] for ref in s["characters"]], **{f: s[f] for f in SCENE_FIELDS},
            )
            for s in bundle["scenes"]
        }
        for m in bundle.get("moodboards", []):
            moodboard_create(project=project, scene=scenes.get(m["scene"]), location=locations.get(m["location"]),
                             characters=[characters[ref] for ref in m["characters"]],
                             **{f: m[f] for f in MOODBOARD_FIELDS})
    return project


# --- background exports ----------------------------------------------------------------------

class ExportStatus:
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"

    PENDING = (QUEUED, RUNNING)
    RANK = {QUEUED: 0, RUNNING: 1, READY: 2, FAILED: 2}


def _cache_key(export_id) -> str:
    return f"studio:export:{export_id}"


def _file_key(owner_public_id, export_id, ext: str) -> str:
    # Generated names only: never anything the user typed.
    return f"exports/{owner_public_id}/{export_id}.{ext}"


def _status_key(owner_public_id, export_id) -> str:
    return _file_key(owner_public_id, export_id, "status.json")


def _overwrite(key: str, data: bytes) -> str:
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(data))


def _record_save(record: dict) -> None:
    record["updated_at"] = timezone.now().isoformat()
    cache.set(_cache_key(record["id"]), record, EXPORT_TTL_SECONDS)
    _overwrite(_status_key(record["owner_public_id"], record["id"]), json.dumps(record).encode())


def _record_from_storage(owner_public_id, export_id) -> dict | None:
    key = _status_key(owner_public_id, export_id)
    try:
        with default_storage.open(key, "rb") as fh:
            return json.loads(fh.read())
    except (FileNotFoundError, OSError, ValueError):
        return None


def _record_load(owner_public_id, export_id) -> dict | None:
    """The cache answers first; while it says the job is still pending, the status file may
    know better (a worker with its own per-process cache writes only there for this process)."""
    record = cache.get(_cache_key(export_id))
    if record is None or record["status"] in ExportStatus.PENDING:
        stored = _record_from_storage(owner_public_id, export_id)
        if stored and (record is None or ExportStatus.RANK[stored["status"]] > ExportStatus.RANK[record["status"]]):
            record = stored
    return record


def export_record_get(*, user, export_id) -> dict:
    """The status of one background export of `user`'s; anyone else's (or an expired one) → 404."""
    record = _record_load(user.public_id, export_id)
    if record is None or record.get("owner_id") != user.pk:
        raise Http404
    return record


def export_start(*, user, project: Project, fmt: str, language: str = "") -> str:
    """Records a queued export and enqueues its task once the surrounding transaction commits.
    Returns the export id for the status page."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"Unknown export format: {fmt}")
    export_id = str(uuid.uuid4())
    _record_save({
        "id": export_id, "owner_id": user.pk, "owner_public_id": str(user.public_id),
        "project_public_id": str(project.public_id), "project_title": project.title,
        "fmt": fmt, "status": ExportStatus.QUEUED, "path": "", "filename": export_filename(project, fmt),
        "error": "", "created_at": timezone.now().isoformat(),
    })
    from . import tasks  # tasks import this module

    transaction.on_commit(lambda: tasks.export_project.delay(user.pk, str(project.public_id), fmt, export_id,
                                                             language=language))
    return export_id


def export_run(*, user_id: int, project_public_id: str, fmt: str, export_id: str, language: str = "") -> dict | None:
    """Builds the file, stores it under exports/<owner>/<export id>.<ext> and marks the export
    ready (or failed, with a message for the creator). Safe to run twice: a ready export is
    left alone, and a running one is claimed by one worker at a time."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    record = _record_load(user.public_id, export_id)
    if record is None or record.get("owner_id") != user.pk or record["status"] == ExportStatus.READY:
        return record
    claim_seconds = getattr(settings, "CELERY_TASK_TIME_LIMIT", 11 * 60)
    if not cache.add(f"{_cache_key(export_id)}:claim", 1, claim_seconds):
        return record
    record.update(status=ExportStatus.RUNNING, error="")
    _record_save(record)
    try:
        with translation.override(language or user.locale or settings.LANGUAGE_CODE):
            try:
                project = selectors.project_get(user=user, public_id=project_public_id)
            except Http404:
                record.update(status=ExportStatus.FAILED, error=_("This project is no longer available."))
                _record_save(record)
                return record
            data = export_bytes(project, fmt)
        # No transaction is open here: the upload may be slow (S3 / R2).
        record["path"] = _overwrite(_file_key(user.public_id, export_id, FILE_FORMATS[fmt][0]), data)
        record.update(status=ExportStatus.READY, size=len(data))
    except Exception:
        logger.exception("Export %s of project %s failed", export_id, project_public_id)
        with translation.override(language or user.locale or settings.LANGUAGE_CODE):
            record.update(status=ExportStatus.FAILED, error=_("The export could not be built. Please try again."))
    finally:
        cache.delete(f"{_cache_key(export_id)}:claim")
    _record_save(record)
    return record


def export_open(*, record: dict):
    """The stored file of a ready export (the caller checked its owner)."""
    if record["status"] != ExportStatus.READY or not record.get("path"):
        raise Http404
    expected = f"exports/{record['owner_public_id']}/"
    if not record["path"].startswith(expected):  # only ever a generated key
        raise Http404
    try:
        return default_storage.open(record["path"], "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None


def exports_purge(*, now=None) -> int:
    """Deletes background export files (and their status files) older than EXPORT_TTL_SECONDS."""
    cutoff = (now or timezone.now()) - timezone.timedelta(seconds=EXPORT_TTL_SECONDS)
    removed = 0
    try:
        owners, _files = default_storage.listdir("exports")
    except (FileNotFoundError, OSError):
        return 0
    for owner in owners:
        _dirs, files = default_storage.listdir(f"exports/{owner}")
        for name in files:
            key = f"exports/{owner}/{name}"
            try:
                if default_storage.get_modified_time(key) < cutoff:
                    default_storage.delete(key)
                    removed += 1
            except (FileNotFoundError, OSError, NotImplementedError):
                continue
    return removed
