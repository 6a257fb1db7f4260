"""The section trash: a bible's characters, locations, scenes, beats and moodboards are deleted
softly (restorable for 30 days, like projects: studio.services.project_delete) and purged for good
after that. Trashed rows are invisible to every read through the models' default manager
(studio.models.LiveManager); only this module reads them (`with_deleted`)."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from media.models import MediaAsset

from . import selectors
from .models import Beat, Character, Location, Moodboard, Project, Scene

SECTION_MODELS = {"character": Character, "location": Location, "scene": Scene, "beat": Beat, "moodboard": Moodboard}
_KIND_OF = {model: kind for kind, model in SECTION_MODELS.items()}
_LABEL = {"character": "name", "location": "name", "scene": "title", "beat": "title", "moodboard": "title"}
# The foreign keys that point at a section: "model.field" → (model, field). Trashing a row unsets
# them (a scene no longer names a trashed location anywhere: pages, exports, the API) and keeps
# which rows they were in its trash_links; restoring sets them back.
_LINKS = {
    "location": {"scene.location": (Scene, "location"), "moodboard.location": (Moodboard, "location")},
    "beat": {"scene.beat": (Scene, "beat")},
    "scene": {"moodboard.scene": (Moodboard, "scene")},
}


def kind_of(obj) -> str:
    return _KIND_OF[type(obj)]


def section_trash(*, obj) -> None:
    """Moves a section's row to its project's trash (Undo restores it, with its links)."""
    now = timezone.now()
    with transaction.atomic():
        links = {}
        for name, (model, field) in _LINKS.get(kind_of(obj), {}).items():
            linked = model.with_deleted.filter(**{field: obj})
            links[name] = list(linked.values_list("pk", flat=True))
            linked.update(**{field: None})
        type(obj).objects.filter(pk=obj.pk).update(deleted_at=now, trash_links=links)
        Project.objects.filter(pk=obj.project_id).update(updated_at=now)
    obj.deleted_at, obj.trash_links = now, links


def section_restore(*, project: Project, kind: str, public_id) -> object:
    """Takes a row of this project (already checked to be the creator's) out of its trash; 404 when
    there is no such row in it (another project's, purged, or never deleted)."""
    model = SECTION_MODELS.get(kind)
    if model is None:
        raise Http404
    try:
        obj = model.with_deleted.get(project=project, public_id=public_id, deleted_at__gte=_cutoff())
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    with transaction.atomic():
        for name, (linked_model, field) in _LINKS.get(kind, {}).items():
            # Only where nothing else was chosen since.
            linked_model.with_deleted.filter(pk__in=obj.trash_links.get(name, []), project=project,
                                             **{f"{field}__isnull": True}).update(**{field: obj})
        model.with_deleted.filter(pk=obj.pk).update(deleted_at=None, trash_links={})
        Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    obj.deleted_at = None
    return obj


def _cutoff(now=None):
    return (now or timezone.now()) - timezone.timedelta(days=selectors.TRASH_DAYS)


def sections_trashed(*, project: Project) -> list[dict]:
    """The project's trash, newest first: [{"kind", "public_id", "label", "deleted_at"}]."""
    rows = []
    for kind, model in SECTION_MODELS.items():
        for public_id, label, deleted_at in (model.with_deleted.filter(project=project, deleted_at__gte=_cutoff())
                                             .values_list("public_id", _LABEL[kind], "deleted_at")):
            rows.append({"kind": kind, "public_id": public_id, "label": label, "deleted_at": deleted_at,
                         "kind_label": model._meta.verbose_name})
    return sorted(rows, key=lambda row: row["deleted_at"], reverse=True)


def sections_purge_trash(*, now=None) -> int:
    """Deletes for good the sections in the trash longer than 30 days, with their files."""
    from media.services import asset_delete

    cutoff, count = _cutoff(now), 0
    with transaction.atomic():
        for kind, model in SECTION_MODELS.items():
            doomed = model.with_deleted.filter(deleted_at__lt=cutoff)
            if kind in MediaAsset.Target.values:
                for asset in MediaAsset.objects.filter(target_kind=kind, deleted_at__isnull=True,
                                                       target_id__in=doomed.values("public_id")).select_related("owner"):
                    asset_delete(asset=asset)
            count += doomed.delete()[0]
    return count
