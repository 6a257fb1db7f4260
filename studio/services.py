"""Writes for the studio: projects, their sections, drafts, publishing."""

import secrets

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from credits import guards, ledger
from credits.selectors import credit_account_for

from . import selectors, targets
from .models import Beat, Character, Draft, Location, Project, Relationship, Scene, Story, World

# Written into the creator's story once, in their language at that moment (beats_apply_template):
# the beats are theirs to rewrite from then on.
BEAT_TEMPLATES = {
    Story.Structure.THREE_ACT: [
        (gettext_noop("Setup"), gettext_noop("Introduce the world, the protagonist and what they want.")),
        (gettext_noop("Inciting incident"), gettext_noop("Something upsets the status quo.")),
        (gettext_noop("Rising action"), gettext_noop("The protagonist commits and the stakes climb.")),
        (gettext_noop("Midpoint"), gettext_noop("A revelation or reversal changes the goal.")),
        (gettext_noop("Crisis"), gettext_noop("Everything seems lost.")),
        (gettext_noop("Climax"), gettext_noop("The final confrontation.")),
        (gettext_noop("Resolution"), gettext_noop("The new normal.")),
    ],
    Story.Structure.SAVE_THE_CAT: [
        (gettext_noop("Opening image"), ""),
        (gettext_noop("Theme stated"), ""),
        (gettext_noop("Set-up"), ""),
        (gettext_noop("Catalyst"), ""),
        (gettext_noop("Debate"), ""),
        (gettext_noop("Break into Two"), ""),
        (gettext_noop("B story"), ""),
        (gettext_noop("Fun and games"), ""),
        (gettext_noop("Midpoint"), ""),
        (gettext_noop("Bad guys close in"), ""),
        (gettext_noop("All is lost"), ""),
        (gettext_noop("Dark night of the soul"), ""),
        (gettext_noop("Break into Three"), ""),
        (gettext_noop("Finale"), ""),
        (gettext_noop("Final image"), ""),
    ],
    Story.Structure.HEROS_JOURNEY: [
        (gettext_noop("Ordinary world"), ""),
        (gettext_noop("Call to adventure"), ""),
        (gettext_noop("Refusal of the call"), ""),
        (gettext_noop("Meeting the mentor"), ""),
        (gettext_noop("Crossing the threshold"), ""),
        (gettext_noop("Tests, allies, enemies"), ""),
        (gettext_noop("Approach to the inmost cave"), ""),
        (gettext_noop("The ordeal"), ""),
        (gettext_noop("Reward"), ""),
        (gettext_noop("The road back"), ""),
        (gettext_noop("Resurrection"), ""),
        (gettext_noop("Return with the elixir"), ""),
    ],
}

PROJECT_FIELDS = ("title", "logline", "premise", "genre", "tone", "format", "target_audience", "status")


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "bible"
    return f"{base}-{secrets.token_hex(3)}"


def project_create(*, owner, title: str, team=None, **fields) -> Project:
    """Creates a project with its story and world — the team's when `team` is given (the caller
    checked the owner may edit in it; the team's plan limits its projects). Raises
    credits.exceptions.PlanRequired when the plan's project limit is reached."""
    account = credit_account_for(user=owner, team=team)
    with transaction.atomic():
        # Serialise concurrent creations of one account, so the limit cannot be passed twice.
        ledger.account_lock(account=account)
        guards.project_limit_check(account=account, project_count=selectors.project_count(user=owner, team=team))
        project = Project.objects.create(
            owner=owner, team=team, title=title.strip(), slug=_unique_slug(title),
            **{k: v for k, v in fields.items() if k in PROJECT_FIELDS and v is not None},
        )
        Story.objects.create(project=project)
        World.objects.create(project=project)
    return project


def project_update(*, project: Project, **fields) -> Project:
    changed = [k for k in PROJECT_FIELDS if k in fields and fields[k] is not None]
    for name in changed:
        setattr(project, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if changed:
        project.save(update_fields=[*changed, "updated_at"])
    return project


def project_delete(*, project: Project) -> None:
    """Moves it to the trash (restorable for 30 days) and off the showcase at once."""
    Project.objects.filter(pk=project.pk).update(deleted_at=timezone.now(), visibility=Project.Visibility.PRIVATE)


def project_restore(*, project: Project) -> Project:
    """Raises credits.exceptions.PlanRequired if restoring would pass the plan's project limit."""
    account = credit_account_for(user=project.owner, team=project.team)
    with transaction.atomic():
        ledger.account_lock(account=account)
        guards.project_limit_check(account=account, project_count=selectors.project_count(
            user=project.owner, team=project.team))
        Project.objects.filter(pk=project.pk).update(deleted_at=None)
    project.deleted_at = None
    return project


def project_move(*, project: Project, team, user) -> Project:
    """Moves the project into `team`, or (None) back to its creator's personal workspace. The
    workspace it lands in must have room under its plan's project limit. Its files, jobs and
    drafts move with it (they are reached through the project)."""
    if project.team_id == (team.pk if team else None):
        return project
    account = credit_account_for(user=project.owner, team=team)
    with transaction.atomic():
        ledger.account_lock(account=account)
        guards.project_limit_check(account=account, project_count=selectors.project_count(user=project.owner, team=team))
        Project.objects.filter(pk=project.pk).update(team=team, updated_at=timezone.now())
    project.team = team
    return project


def projects_purge_trash(*, now=None) -> int:
    """Deletes for good what has been in the trash longer than 30 days: projects, and the sections
    of live projects (studio.trash)."""
    from media.services import assets_files_remove

    from .trash import sections_purge_trash

    cutoff = (now or timezone.now()) - timezone.timedelta(days=selectors.TRASH_DAYS)
    with transaction.atomic():
        doomed = Project.objects.filter(deleted_at__lt=cutoff)
        assets_files_remove(projects=doomed)
        count, _ = doomed.delete()
    return count + sections_purge_trash(now=now)


def project_publish(*, project: Project, sections: list[str], pen_name: str | None = None) -> Project:
    """Publishes these sections; none makes the bible private again (the publish page's "Unpublish").
    A pen name (blank: the creator's display name) signs the bible; None leaves it as it was."""
    sections = [s for s in Project.SECTIONS if s in sections]
    project.published_sections = sections
    project.visibility = Project.Visibility.PUBLISHED if sections else Project.Visibility.PRIVATE
    project.published_at = project.published_at or timezone.now() if sections else None
    if pen_name is not None:
        project.pen_name = pen_name.strip()[:80]
    project.save(update_fields=["published_sections", "visibility", "published_at", "pen_name", "updated_at"])
    return project


def _touch(project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now())


def _save_fields(obj, allowed, fields) -> None:
    changed = [k for k in allowed if k in fields and fields[k] is not None]
    for name in changed:
        setattr(obj, name, fields[name].strip() if isinstance(fields[name], str) else fields[name])
    if changed:
        obj.save(update_fields=[*changed, "updated_at"])
        _touch(obj.project)


def story_update(*, project: Project, **fields) -> Story:
    story = project.story
    _save_fields(story, ("synopsis", "themes", "structure"), fields)
    return story


def beats_apply_template(*, project: Project, structure: str) -> list[Beat]:
    """Replaces the beats with the structure's template (only offered while there are none or
    the creator confirmed)."""
    with transaction.atomic():
        project.beats.all().delete()
        Story.objects.filter(project=project).update(structure=structure)
        beats = Beat.objects.bulk_create(
            Beat(project=project, order=i, title=gettext(title), description=gettext(desc) if desc else "")
            for i, (title, desc) in enumerate(BEAT_TEMPLATES[structure])
        )
    _touch(project)
    return beats


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def beat_create(*, project: Project, title: str, description: str = "") -> Beat:
    beat = Beat.objects.create(project=project, title=title.strip(), description=description.strip(),
                               order=_next_order(project.beats))
    _touch(project)
    return beat


def beat_update(*, beat: Beat, **fields) -> Beat:
    _save_fields(beat, ("title", "description"), fields)
    return beat


def reorder(*, queryset, public_ids: list) -> None:
    """Sets `order` to follow `public_ids`; ids not in the queryset (someone else's) are ignored."""
    by_id = {str(obj.public_id): obj for obj in queryset}
    ordered = [by_id[str(pid)] for pid in public_ids if str(pid) in by_id]
    ordered += [obj for obj in by_id.values() if obj not in ordered]
    for index, obj in enumerate(ordered):
        obj.order = index
    queryset.model.objects.bulk_update(ordered, ["order"])


CHARACTER_FIELDS = ("name", "role", "age", *Character.TEXT_FIELDS)


def character_create(*, project: Project, name: str, **fields) -> Character:
    character = Character.objects.create(
        project=project, name=name.strip(), order=_next_order(project.characters),
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items() if k in CHARACTER_FIELDS and v is not None},
    )
    _touch(project)
    return character


def character_update(*, character: Character, **fields) -> Character:
    _save_fields(character, CHARACTER_FIELDS, fields)
    return character


def relationship_add(*, source: Character, target: Character, kind: str, note: str = "") -> Relationship:
    if source.project_id != target.project_id or source.pk == target.pk:
        raise ValueError("A relationship links two different characters of one project.")
    relationship, _ = Relationship.objects.update_or_create(source=source, target=target, kind=kind,
                                                            defaults={"note": note.strip()})
    _touch(source.project)
    return relationship


def world_update(*, project: Project, **fields) -> World:
    world = project.world
    _save_fields(world, World.TEXT_FIELDS, fields)
    return world


LOCATION_FIELDS = ("name", *Location.TEXT_FIELDS)


def location_create(*, project: Project, name: str, **fields) -> Location:
    location = Location.objects.create(
        project=project, name=name.strip(), order=_next_order(project.locations),
        **{k: v.strip() for k, v in fields.items() if k in LOCATION_FIELDS and isinstance(v, str)},
    )
    _touch(project)
    return location


def location_update(*, location: Location, **fields) -> Location:
    _save_fields(location, LOCATION_FIELDS, fields)
    return location


SCENE_FIELDS = ("title", "mood", *Scene.TEXT_FIELDS)


def _scene_links(scene: Scene, *, beat=None, location=None, characters=None) -> None:
    """Links only to objects of the scene's own project."""
    if beat is not None:
        scene.beat = beat if beat and beat.project_id == scene.project_id else None
    if location is not None:
        scene.location = location if location and location.project_id == scene.project_id else None
    scene.save(update_fields=["beat", "location", "updated_at"])
    if characters is not None:
        scene.characters.set([c for c in characters if c.project_id == scene.project_id])


def scene_create(*, project: Project, title: str, beat=None, location=None, characters=None, **fields) -> Scene:
    with transaction.atomic():
        scene = Scene.objects.create(
            project=project, title=title.strip(), order=_next_order(project.scenes),
            **{k: v.strip() for k, v in fields.items() if k in SCENE_FIELDS and isinstance(v, str)},
        )
        _scene_links(scene, beat=beat or False, location=location or False, characters=characters)
    _touch(project)
    return scene


def scene_update(*, scene: Scene, beat=None, location=None, characters=None, **fields) -> Scene:
    with transaction.atomic():
        _save_fields(scene, SCENE_FIELDS, fields)
        _scene_links(scene, beat=beat, location=location, characters=characters)
    return scene


def object_delete(*, obj) -> None:
    """Moves a character, location, scene or beat to its project's trash (studio.trash)."""
    from .trash import section_trash

    section_trash(obj=obj)


# --- drafts ----------------------------------------------------------------------------------

def draft_target(draft: Draft):
    """The object whose field the draft is for (always of the draft's own project)."""
    project = draft.project
    if draft.target_kind == "story":
        return project.story
    if draft.target_kind == "world":
        return project.world
    return targets.in_project(project, draft.target_kind, draft.target_id)


def draft_accept(*, draft: Draft) -> Draft:
    """Puts the draft into its field, keeping the text it replaces so it can be restored."""
    target = draft_target(draft)
    if target is None or not hasattr(target, draft.field):
        raise ValueError("This draft has nothing to go into.")
    with transaction.atomic():
        draft.replaced_text = getattr(target, draft.field) or ""
        setattr(target, draft.field, draft.text.strip())
        target.save(update_fields=[draft.field, "updated_at"])
        draft.status = Draft.Status.ACCEPTED
        draft.accepted_at = timezone.now()
        draft.save(update_fields=["replaced_text", "status", "accepted_at", "updated_at"])
    _touch(draft.project)
    return draft


def draft_discard(*, draft: Draft) -> Draft:
    if draft.status != Draft.Status.ACCEPTED:
        draft.status = Draft.Status.DISCARDED
        draft.save(update_fields=["status", "updated_at"])
    return draft


def draft_undo(*, draft: Draft) -> Draft:
    """Puts back the text an accepted draft replaced."""
    target = draft_target(draft)
    if draft.status != Draft.Status.ACCEPTED or target is None:
        raise ValueError("Only an accepted draft can be undone.")
    with transaction.atomic():
        setattr(target, draft.field, draft.replaced_text)
        target.save(update_fields=[draft.field, "updated_at"])
        draft.status = Draft.Status.READY
        draft.save(update_fields=["status", "updated_at"])
    return draft
