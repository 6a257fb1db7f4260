"""The import of a JSON export as a new project. `bundle_parse` checks an uploaded file completely
(format, version, every value by its model field, every ref) and returns it cleaned, creating
nothing; `bible_import` then creates the copy in one transaction, mapping refs to the new objects,
so it gets its own public ids and nothing of the original's owner.
"""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import services
from ..models import Beat, Character, Location, Moodboard, Project, Relationship, Scene, Story, World
from ..moodboards import moodboard_create
from .dump import (
    BEAT_FIELDS,
    CHARACTER_FIELDS,
    FORMAT,
    LOCATION_FIELDS,
    MOODBOARD_FIELDS,
    RELATIONSHIP_FIELDS,
    SCENE_FIELDS,
    STORY_FIELDS,
    VERSION,
)

IMPORT_MAX_BYTES = 5 * 1024 * 1024


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
