"""Writes for moodboards: create, update, delete. Used by the studio pages and the API alike.

A moodboard links only to scenes, locations and characters of its own project; anything else is
refused with InvalidMoodboard (the pages never offer it, so only a crafted request gets there)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modo.errors import AppError

from .models import Moodboard, Project
from .trash import section_trash

TEXT_FIELDS = ("title", "pose", "action", "notes")


class InvalidMoodboard(AppError):
    code, status = "INVALID_INPUT", 422
    default_message = gettext_lazy("Those links are not part of this project.")


def _touch(project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())


def _check_links(project: Project, *, scene=None, location=None, characters=None) -> None:
    if scene is not None and scene.project_id != project.pk:
        raise InvalidMoodboard(_("That scene is not in this project."))
    if location is not None and location.project_id != project.pk:
        raise InvalidMoodboard(_("That location is not in this project."))
    if characters and any(c.project_id != project.pk for c in characters):
        raise InvalidMoodboard(_("Those characters are not in this project."))


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidMoodboard(_("Give the moodboard a title."))
    return title[:120]


def moodboard_create(*, project: Project, title: str, scene=None, location=None, characters=None, pose: str = "",
                     action: str = "", notes: str = "") -> Moodboard:
    """A new moodboard at the end of the project's list. Raises InvalidMoodboard for an empty title
    or a scene, location or character of another project."""
    characters = list(characters or [])
    _check_links(project, scene=scene, location=location, characters=characters)
    with transaction.atomic():
        order = (project.moodboards.aggregate(m=Max("order"))["m"] or 0) + 1
        moodboard = Moodboard.objects.create(
            project=project, title=_clean_title(title), scene=scene, location=location, order=order,
            pose=(pose or "").strip()[:200], action=(action or "").strip()[:300], notes=(notes or "").strip())
        if characters:
            moodboard.characters.set(characters)
    _touch(project)
    return moodboard


def moodboard_update(*, moodboard: Moodboard, **fields) -> Moodboard:
    """Changes only the fields passed: title, pose, action, notes, scene, location (None clears
    them) and characters (a list; None or [] clears it). Raises InvalidMoodboard like create."""
    project = moodboard.project
    if "title" in fields:
        fields["title"] = _clean_title(fields["title"])
    characters = fields.pop("characters", ...)
    characters = None if characters is ... else list(characters or [])
    _check_links(project, scene=fields.get("scene"), location=fields.get("location"), characters=characters)
    changed = []
    for name in (*TEXT_FIELDS, "scene", "location"):
        if name not in fields:
            continue
        value = fields[name]
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        setattr(moodboard, name, value)
        changed.append(name)
    with transaction.atomic():
        if changed:
            moodboard.save(update_fields=[*changed, "updated_at"])
        if characters is not None:
            moodboard.characters.set(characters)
    _touch(project)
    return moodboard


def moodboard_delete(*, moodboard: Moodboard) -> None:
    """Moves the moodboard to its project's trash (restorable for 30 days); its images and videos
    are deleted with it when the trash is purged (studio.trash.sections_purge_trash)."""
    section_trash(obj=moodboard)
