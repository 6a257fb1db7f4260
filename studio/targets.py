"""The one map of what a job, a text draft or an asset belongs to (its "target"): for each kind,
its model, the owner-checked getter, the page that shows it, the field that names it and the
showcase section that publishes its images.

Every "which object is this for?" is answered here: an asset's "kind:uuid", the links of job
cards and gallery items, the object a text draft writes into. Media stores only the kind and the
public id (media.selectors.TargetRef); it never loads these objects."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Model, Value
from django.http import Http404
from django.urls import reverse

from media.models import MediaAsset
from media.selectors import TargetRef

from . import selectors
from .models import Beat, Character, Location, Moodboard, Project, Scene


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    get: Callable[..., Model]  # get(user=, public_id=): the creator's object, 404 for anyone else's
    page: str  # the URL name of its page, which takes its public id
    label: str  # the field that names it
    section: str  # the showcase section that publishes its images ("": the project's own, its cover)


KINDS = {
    "project": Kind(Project, selectors.project_get, "studio:project", "title", ""),
    "beat": Kind(Beat, selectors.beat_get, "studio:beat", "title", "story"),
    "character": Kind(Character, selectors.character_get, "studio:character", "name", "characters"),
    "location": Kind(Location, selectors.location_get, "studio:location", "name", "world"),
    "scene": Kind(Scene, selectors.scene_get, "studio:scene", "title", "scenes"),
    "moodboard": Kind(Moodboard, selectors.moodboard_get, "studio:moodboard", "title", "scenes"),
}
# The kinds that hold assets (a beat has no gallery).
GALLERY_KINDS = tuple(kind for kind in KINDS if kind in MediaAsset.Target.values)
_KIND_OF_MODEL = {kind.model: name for name, kind in KINDS.items()}
# "kind:uuid" as the API's document states it (parse_target, which also takes looser UUID forms,
# is the judge and gives the message).
TARGET_PATTERN = (f"^({'|'.join(MediaAsset.Target.values)}):"
                  "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def parse_target(value: str) -> tuple[str, str]:
    """"character:<uuid>" → ("character", "<uuid>"); ValueError when it is not that shape or
    names a kind no asset can belong to."""
    kind, sep, public_id = (value or "").partition(":")
    if not sep or kind not in MediaAsset.Target.values:
        raise ValueError(value)
    return kind, public_id


def target_get(*, user, kind: str, public_id) -> TargetRef:
    """The creator's object that holds assets, named by (kind, public id): 404 for anyone else's,
    for a kind without a gallery and for an id that is not a UUID."""
    if kind not in GALLERY_KINDS:
        raise Http404
    try:
        obj = KINDS[kind].get(user=user, public_id=public_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
    return target_of(obj)


def target_of(obj) -> TargetRef:
    """The target of an already-loaded object (its owner was checked by whoever loaded it)."""
    kind = _KIND_OF_MODEL[type(obj)]
    return TargetRef(kind, obj.public_id, obj if kind == "project" else obj.project, obj)


def in_project(project: Project, kind: str, public_id):
    """The object of this project (already checked to be the creator's) named by kind and public
    id; None when there is none."""
    if kind == "project":
        return project
    if kind not in KINDS or not public_id:
        return None
    return KINDS[kind].model.objects.filter(project=project, public_id=public_id).first()


def page_url(kind: str, public_id) -> str:
    """The page of a target; the projects list for a kind without a page of its own."""
    return reverse(KINDS[kind].page, args=[public_id]) if kind in KINDS else reverse("studio:projects")


def showcase_section(kind: str) -> str | None:
    """The section a published project must publish for its images of this kind to be public
    ("" for the project's own images; None: never public)."""
    return KINDS[kind].section if kind in GALLERY_KINDS else None


def _shown(user, items) -> dict:
    """{(kind, public id): {"label", "url"}} for the targets of jobs or assets, in one query however
    many items and kinds there are (a project target is the item's own, already loaded, project).
    Deleted targets are simply missing."""
    found, wanted = {}, {}
    for item in items:
        if item.target_kind == "project":
            project = item.project
            if project.public_id == item.target_id:
                found[("project", project.public_id)] = {"label": project.title,
                                                         "url": page_url("project", project.public_id)}
        elif item.target_kind in KINDS:
            wanted.setdefault(item.target_kind, set()).add(item.target_id)
    parts = [KINDS[kind].model.objects.filter(project__owner=user, public_id__in=wanted[kind])
             .order_by().annotate(kind=Value(kind, output_field=CharField()), label=F(KINDS[kind].label))
             .values_list("kind", "public_id", "label")
             for kind in KINDS if kind in wanted]
    if parts:
        for kind, public_id, label in parts[0].union(*parts[1:], all=True):
            found[(kind, public_id)] = {"label": label, "url": page_url(kind, public_id)}
    return found


def with_targets(user, items) -> list:
    """The items (jobs or assets), each with `target_info`: its target's label and page, or None."""
    items = list(items)
    shown = _shown(user, items)
    for item in items:
        item.target_info = shown.get((item.target_kind, item.target_id))
    return items
