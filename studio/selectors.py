"""Reads for the studio. Every lookup of a creator's object checks the owner: anyone else gets 404."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Beat, Character, Draft, Generation, Location, Moodboard, Project, Scene

TRASH_DAYS = 30
SORTS = {"updated": "-updated_at", "created": "-created_at", "title": "title"}


def projects_for(*, user, q: str = "", status: str = "", genre: str = "", sort: str = "updated") -> QuerySet[Project]:
    projects = Project.objects.filter(owner=user, deleted_at__isnull=True)
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(logline__icontains=q))
    if status:
        projects = projects.filter(status=status)
    if genre:
        projects = projects.filter(genre=genre)
    return projects.select_related("cover").annotate(character_count=Count("characters", distinct=True), scene_count=Count("scenes", distinct=True)
                             ).order_by(SORTS.get(sort, "-updated_at"), "-id")


def project_count(*, user) -> int:
    return Project.objects.filter(owner=user, deleted_at__isnull=True).count()


def trash_for(*, user) -> QuerySet[Project]:
    cutoff = timezone.now() - timezone.timedelta(days=TRASH_DAYS)
    return Project.objects.filter(owner=user, deleted_at__gte=cutoff).order_by("-deleted_at")


def project_get(*, user, public_id, include_deleted: bool = False) -> Project:
    projects = Project.objects.filter(owner=user).select_related("cover")
    if not include_deleted:
        projects = projects.filter(deleted_at__isnull=True)
    return get_object_or_404(projects, public_id=public_id)


def _owned(model, *, user, public_id, related=()):
    return get_object_or_404(
        model.objects.select_related("project", *related).filter(project__owner=user, project__deleted_at__isnull=True),
        public_id=public_id,
    )


def character_get(*, user, public_id) -> Character:
    return _owned(Character, user=user, public_id=public_id, related=("primary_image",))


def location_get(*, user, public_id) -> Location:
    return _owned(Location, user=user, public_id=public_id)


def scene_get(*, user, public_id) -> Scene:
    return _owned(Scene, user=user, public_id=public_id, related=("location", "beat"))


def beat_get(*, user, public_id) -> Beat:
    return _owned(Beat, user=user, public_id=public_id)


def moodboard_get(*, user, public_id) -> Moodboard:
    return _owned(Moodboard, user=user, public_id=public_id, related=("scene", "location"))


def moodboards_of(project: Project) -> QuerySet[Moodboard]:
    return project.moodboards.select_related("scene", "location").prefetch_related("characters")


def job_get(*, user, public_id) -> Generation:
    try:
        return get_object_or_404(Generation.objects.select_related("project", "output_asset", "model_used"),
                                 owner=user, public_id=public_id)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc


def jobs_for(*, user, status: str = "", project: Project | None = None, kind: str = "") -> QuerySet[Generation]:
    jobs = Generation.objects.filter(owner=user, project__deleted_at__isnull=True).select_related(
        "project", "output_asset", "model_used")
    if status == "active":
        jobs = jobs.filter(status__in=Generation.ACTIVE)
    elif status:
        jobs = jobs.filter(status=status)
    if project is not None:
        jobs = jobs.filter(project=project)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")


def draft_get(*, user, public_id) -> Draft:
    return get_object_or_404(Draft.objects.select_related("project"), owner=user, project__deleted_at__isnull=True,
                             public_id=public_id)


def characters_of(project: Project) -> QuerySet[Character]:
    return project.characters.select_related("primary_image")


def scenes_of(project: Project) -> QuerySet[Scene]:
    return project.scenes.select_related("location", "beat").prefetch_related("characters")


def relationships_of(character: Character) -> list[dict]:
    """Both directions: "mentor of X" from one side is "mentored by Y" from the other."""
    out = [{"other": r.target, "kind": r.get_kind_display(), "note": r.note, "outgoing": True, "relationship": r}
           for r in character.relationships_out.select_related("target")]
    out += [{"other": r.source, "kind": r.get_kind_display(), "note": r.note, "outgoing": False, "relationship": r}
            for r in character.relationships_in.select_related("source")]
    return out


def drafts_for(*, project: Project, target_kind: str, target_id, field: str, limit: int = 10) -> list[Draft]:
    return list(Draft.objects.filter(project=project, target_kind=target_kind, target_id=target_id, field=field)
                .exclude(status=Draft.Status.STREAMING).order_by("-created_at")[:limit])


def showcase_list() -> QuerySet[Project]:
    return (Project.objects.filter(visibility=Project.Visibility.PUBLISHED, deleted_at__isnull=True)
            .select_related("owner", "cover").order_by("-published_at"))


def showcase_get(*, slug: str) -> Project:
    return get_object_or_404(showcase_list(), slug=slug)


def section_progress(project: Project) -> dict[str, int]:
    """How complete each section looks (0–100), from the fields and rows that are filled in."""
    story = getattr(project, "story", None)
    world = getattr(project, "world", None)
    counts = Project.objects.filter(pk=project.pk).aggregate(
        n_characters=Count("characters", distinct=True), n_scenes=Count("scenes", distinct=True),
        n_locations=Count("locations", distinct=True), n_beats=Count("beats", distinct=True),
        n_scripts=Count("scenes", filter=~Q(scenes__script=""), distinct=True),
    )
    counts = {name[2:]: value for name, value in counts.items()}
    story_parts = [bool(project.logline), bool(project.premise), bool(story and story.synopsis),
                   bool(story and story.themes), counts["beats"] > 0]
    world_parts = [bool(world and getattr(world, f)) for f in ("setting", "history", "culture", "rules")]
    world_parts.append(counts["locations"] > 0)
    return {
        "story": round(100 * sum(story_parts) / len(story_parts)),
        "characters": min(100, counts["characters"] * 25),
        "world": round(100 * sum(world_parts) / len(world_parts)),
        "scenes": min(100, counts["scenes"] * 10),
        "script": round(100 * counts["scripts"] / counts["scenes"]) if counts["scenes"] else 0,
        **{f"{k}_count": v for k, v in counts.items()},
    }
