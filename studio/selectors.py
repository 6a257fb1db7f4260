"""Reads for the studio. Every lookup of a creator's object checks access: a personal project's
owner, or a member of the project's team whose role allows the action (accounts.roles: read,
edit, generate, manage...); anyone else gets 404. With no `action`, the request's default
applies (read on GET, edit on a write: accounts.roles.default_action)."""


from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.selectors import allowed_or_404
from credits.models import Hold
from modo.cache import fragment_version

from .models import Beat, Character, Draft, Generation, Location, Moodboard, Project, Scene

TRASH_DAYS = 30
SORTS = {"updated": "-updated_at", "created": "-created_at", "title": "title"}


def _count_of(model, *conditions):
    """How many `model` rows the outer project has, as a correlated subquery. Counting two
    sections through JOINs multiplies their rows (200 characters × 500 scenes = 100,000 rows to
    group); each subquery counts one section through its project index instead."""
    counted = model.objects.filter(*conditions, project=OuterRef("pk")).order_by().values("project")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


def _workspace(*, user, team=None, path: str = "") -> Q:
    """A workspace's rows: the team's (the caller got `team` through the access layer, so the
    user belongs to it), or the user's personal ones."""
    if team is not None:
        return Q(**{f"{path}team": team})
    return Q(**{f"{path}owner": user, f"{path}team__isnull": True})


def projects_for(*, user, team=None, q: str = "", status: str = "", genre: str = "", sort: str = "updated"
                 ) -> QuerySet[Project]:
    projects = Project.objects.filter(_workspace(user=user, team=team), deleted_at__isnull=True)
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(logline__icontains=q))
    if status:
        projects = projects.filter(status=status)
    if genre:
        projects = projects.filter(genre=genre)
    return projects.select_related("cover").annotate(character_count=_count_of(Character), scene_count=_count_of(Scene)
                                                    ).order_by(SORTS.get(sort, "-updated_at"), "-id")


def project_count(*, user, team=None) -> int:
    return Project.objects.filter(_workspace(user=user, team=team), deleted_at__isnull=True).count()


def trash_for(*, user, team=None) -> QuerySet[Project]:
    cutoff = timezone.now() - timezone.timedelta(days=TRASH_DAYS)
    return Project.objects.filter(_workspace(user=user, team=team), deleted_at__gte=cutoff).order_by("-deleted_at")


def project_get(*, user, public_id, include_deleted: bool = False, action: str | None = None,
                related=("cover",)) -> Project:
    """The project (404 unless the user may `action` it), with `related` read along (its cover
    unless told otherwise: a text draft reads its story and world instead)."""
    projects = Project.objects.select_related(*related)
    if not include_deleted:
        projects = projects.filter(deleted_at__isnull=True)
    return allowed_or_404(projects, user=user, action=action, scope="", public_id=public_id)


def _owned(model, *, user, public_id, related=(), action: str | None = None):
    """The object of a live project the user may `action`, with its project (404 otherwise)."""
    return allowed_or_404(model.objects.select_related("project", *related), user=user, action=action,
                          public_id=public_id, project__deleted_at__isnull=True)


def character_get(*, user, public_id, with_image: bool = True, action: str | None = None) -> Character:
    """The creator's character (404 otherwise), with its reference sheet unless `with_image` is
    False (a generation request reads the sheet's text only: a leaner query)."""
    return _owned(Character, user=user, public_id=public_id, related=("primary_image",) if with_image else (),
                  action=action)


def location_get(*, user, public_id, action: str | None = None) -> Location:
    return _owned(Location, user=user, public_id=public_id, action=action)


def scene_get(*, user, public_id, action: str | None = None) -> Scene:
    return _owned(Scene, user=user, public_id=public_id, related=("location", "beat"), action=action)


def beat_get(*, user, public_id, action: str | None = None) -> Beat:
    return _owned(Beat, user=user, public_id=public_id, action=action)


def moodboard_get(*, user, public_id, action: str | None = None) -> Moodboard:
    return _owned(Moodboard, user=user, public_id=public_id, related=("scene", "location"), action=action)


def moodboards_of(project: Project) -> QuerySet[Moodboard]:
    return project.moodboards.select_related("scene", "location").prefetch_related("characters")


def job_get(*, user, public_id, action: str | None = None) -> Generation:
    """A job of a project the user may `action` (404 otherwise), with what its card shows (a
    running job's card polls it). A team's jobs are its members' to see, whoever started them."""
    return allowed_or_404(Generation.objects.select_related("project", "output_asset", "model_used"), user=user,
                          action=action, public_id=public_id)


def active_job_count(*, account) -> int:
    """How many jobs are queued or running on a credit account (the cap on running jobs, checked
    on every generation request under that account's lock): a creator's personal jobs on their
    own account, a team's jobs (whichever member started them) on the team's, so a team's members
    share one cap. A job is on the account its hold is on. Plain SQL for bench figure 2 (the
    generation request, p50 ≤ 12 ms): the statuses are written into the statement, not bound as
    the ORM binds them, so a prepared statement's generic plan still matches the partial index
    hold_account_open_idx, whose condition names the hold's status (a bound value falls back to
    scanning every hold the account ever had). Standard SQL: the same statement runs on SQLite.
    An orphaned job (running, its lease expired: the worker died) is not counted: nobody is
    blocked while the sweeper hands it to another worker."""
    statuses = ", ".join(f"'{status}'" for status in Generation.ACTIVE)  # constants of the models
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(Generation._meta.db_table)} g "
                       f"JOIN {quote(Hold._meta.db_table)} h ON h.id = g.hold_id "
                       f"WHERE h.account_id = %s AND h.status = '{Hold.Status.HELD}' AND g.status IN ({statuses}) "
                       f"AND NOT (g.status = 'running' AND g.lease_expires_at IS NOT NULL "
                       f"AND g.lease_expires_at < CURRENT_TIMESTAMP)", [account.pk])
        return cursor.fetchone()[0]


def jobs_for(*, user, team=None, status: str = "", project: Project | None = None, kind: str = ""
             ) -> QuerySet[Generation]:
    """The workspace's jobs (or, with `project`, that project's: the caller checked access to it)."""
    where = Q(project=project) if project is not None else _workspace(user=user, team=team, path="project__")
    jobs = Generation.objects.filter(where, project__deleted_at__isnull=True).select_related(
        "project", "output_asset", "model_used")
    if status == "active":
        jobs = jobs.filter(status__in=Generation.ACTIVE)
    elif status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at", "-id")


def draft_get(*, user, public_id, action: str | None = None) -> Draft:
    return _owned(Draft, user=user, public_id=public_id, action=action)


def characters_of(project: Project) -> QuerySet[Character]:
    return project.characters.select_related("primary_image")


# What the characters list shows of each character. Its rendered rows are cached under a digest
# of these values (cast_version), so a field the list starts showing belongs here: otherwise it
# is loaded one query per row, which the page's query-count test catches.
CAST_FIELDS = ("public_id", "name", "role", "age", "personality", "order")


def cast_of(project: Project) -> list[Character]:
    """The characters list: only the columns it shows (a cast can hold hundreds of long sheets)."""
    return list(project.characters.select_related("primary_image").only(
        *CAST_FIELDS, "project", "primary_image", "primary_image__public_id"))


def cast_version(characters: list[Character]) -> str:
    """A digest of everything the characters list shows, in its order (and of the templates)."""
    shown = [[str(getattr(c, name)) for name in CAST_FIELDS] + [str(c.primary_image.public_id) if c.primary_image else ""]
             for c in characters]
    return fragment_version(shown)


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
    counts = Project.objects.filter(pk=project.pk).values(
        n_characters=_count_of(Character), n_scenes=_count_of(Scene), n_locations=_count_of(Location),
        n_beats=_count_of(Beat), n_scripts=_count_of(Scene, ~Q(script="")),
    ).get()
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
