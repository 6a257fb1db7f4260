"""The Markdown export: a zip of README.md (the project and a table of contents), story.md,
characters/<slug>.md, world.md, scenes/<NN>-<slug>.md, moodboards.md (the moodboards and the
animations: each one's poster and a link to watch it) and the pictures under images/, linked to
each other so the bible reads in any Markdown viewer (GitHub, Obsidian, a text editor).
"""

import io
import zipfile

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Character, Location, Moodboard, Project, Scene, Story, World
from .bible import Bible, unique_slugs


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


def _display(obj, name: str) -> str:
    return getattr(obj, f"get_{name}_display")() if getattr(obj, name) else ""


def _meta_list(pairs) -> str:
    lines = [f"- **{label}:** {value}" for label, value in pairs if value]
    return "\n".join(lines) + "\n\n" if lines else ""


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _markdown_files(bible: Bible) -> list[tuple[str, str]]:
    project, story, world = bible.project, bible.story, bible.world
    char_paths = {c.pk: f"{slug}.md" for c, slug in zip(bible.characters, unique_slugs(
        [c.name for c in bible.characters], "character"), strict=True)}
    width = max(2, len(str(len(bible.scenes))))
    scene_paths = {
        s.pk: f"{n:0{width}d}-{slug}.md"
        for n, (s, slug) in enumerate(zip(bible.scenes, unique_slugs([s.title for s in bible.scenes], "scene"), strict=True), start=1)
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
    if bible.moodboards or bible.animations:
        readme += f"- [{_('Moodboards')}](moodboards.md)\n"
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
        md += _sounds_md(bible, ("character", character.pk))
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
        md += _sounds_md(bible, ("scene", scene.pk))
        files.append((f"scenes/{scene_paths[scene.pk]}", md))

    if bible.moodboards or bible.animations:
        files.append(("moodboards.md", _moodboards_md(bible, char_paths)))
    return files


def _sounds_md(bible: Bible, owner: tuple) -> str:
    """Links to the voice lines (audio/ in the zip) of one character or scene."""
    sounds = [s for s in bible.sounds if s.owner == owner]
    if not sounds:
        return ""
    lines = "".join(f"- [{s.name}](../audio/{s.name}) ({s.duration:.1f} s)\n" for s in sounds)
    return f"\n## {_('Voice lines')}\n\n{lines}\n"


def _moodboards_md(bible: Bible, char_paths: dict) -> str:
    md = f"# {_('Moodboards')}: {bible.project.title}\n\n"
    for board in bible.moodboards:
        md += f"## {board.title}\n\n"
        image = bible.images.get(("moodboard", board.pk))
        if image:
            md += f"![{board.title}](images/{image.name})\n\n"
        md += _meta_list([
            (_("Scene"), board.scene.title if board.scene else ""),
            (_("Location"), board.location.name if board.location else ""),
            (_("Characters"), ", ".join(f"[{c.name}](characters/{char_paths[c.pk]})" for c in board.characters.all())),
            (_label(Moodboard, "pose"), board.pose),
            (_label(Moodboard, "action"), board.action),
        ])
        md += _section(_label(Moodboard, "notes"), board.notes, level=3)
    if bible.animations:
        md += f"## {_('Animations')}\n\n"
        for animation in bible.animations:
            title = animation.label or _("Animation")
            poster = bible.images.get(("animation", animation.asset.pk))
            md += f"### {title}\n\n"
            if poster:
                md += f"[![{title}](images/{poster.name})]({animation.url})\n\n"
            md += f"[{_('Open')}]({animation.url})\n\n"
    return md


def bible_markdown_zip(project: Project) -> bytes:
    """README.md, story.md, characters/<slug>.md, world.md, scenes/<NN>-<slug>.md, images/ and audio/."""
    bible = Bible(project)
    stamp = timezone.localtime().timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in _markdown_files(bible):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
        for image in bible.images.values():
            archive.writestr(zipfile.ZipInfo(f"images/{image.name}", date_time=stamp), image.data)
        for sound in bible.sounds:
            archive.writestr(zipfile.ZipInfo(f"audio/{sound.name}", date_time=stamp), sound.data)
    return buffer.getvalue()
