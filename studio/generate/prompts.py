"""Every prompt the studio sends: text prompts (a system prompt per kind of writing, and the
bible's canon selected and trimmed to a token budget so generated text respects what is already
established) and image prompts (a character's sheet, a moodboard's scene, the presets' words)."""

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from modo import catalog

from ..models import Character, ImagePreset, Location, Moodboard, Project, Scene

CANON_TOKEN_BUDGET = 1500
OFFLINE_NAMES = 12  # characters and locations named in the offline provider's context
WORLD_FIELDS = ("setting", "rules", "culture", "history")
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}
QUALITY_TAGS = "highly detailed, consistent character design, clean composition, best quality"

SYSTEM = {
    "story": "You are a screenwriter and story developer. You shape premises into clear, emotionally driven "
             "stories with strong structure, rising stakes and satisfying turns.",
    "character": "You are a character designer and writer. You create specific, visual, psychologically "
                 "believable characters whose wants and flaws drive the story.",
    "world": "You are a world-builder and lore creator. You invent coherent settings, histories, cultures and "
             "rules that create story possibilities and never contradict established canon.",
    "script": "You are a screenwriter. Write in screenplay format: scene headings (INT./EXT. LOCATION - TIME), "
              "action lines in present tense, CHARACTER NAMES in capitals before dialogue, parentheticals sparingly.",
    "free": "You are a creative development partner for comic, animation, film and game creators.",
}
SECTION_OF_KIND = {"project": "story", "story": "story", "beat": "story", "character": "character", "world": "world",
                   "location": "world", "scene": "story", "free": "free"}

RULES = ("Respect the canon below: never contradict it, reuse names exactly. Write only the text that goes into the "
         "field, in {language}: no preamble, no title, no headings and no notes about the draft; plain paragraphs "
         "unless the field is a list or a screenplay. Follow the creator's instructions on length exactly.")


def estimate_tokens(text: str) -> int:
    """About 4/3 tokens per word, which is close for English and Indonesian prose."""
    return (len(text.split()) * 4 + 2) // 3


# Canon labels: the prompt uses them in English; the creator sees them translated.
LABELS = {
    "title": gettext_noop("Title"),
    "format": gettext_noop("Format and genre"),
    "logline": gettext_noop("Logline"),
    "premise": gettext_noop("Premise"),
    "synopsis": gettext_noop("Synopsis"),
    "themes": gettext_noop("Themes"),
    "character": gettext_noop("Character %(name)s"),
    "character_written": gettext_noop("Character %(name)s (being written)"),
    "character_present": gettext_noop("Character %(name)s (in this scene)"),
    "location": gettext_noop("Location %(name)s"),
    "location_written": gettext_noop("Location %(name)s (being written)"),
    "earlier_scene": gettext_noop("Earlier scene %(name)s"),
    "world_setting": gettext_noop("World setting"),
    "world_rules": gettext_noop("World rules"),
    "world_culture": gettext_noop("World culture"),
    "world_history": gettext_noop("World history"),
}


@dataclass
class Canon:
    """The facts a prompt includes, in priority order, and what had to be left out."""

    items: list[tuple[str, str, str]] = field(default_factory=list)  # (label, text, label shown to the creator)
    omitted: list[str] = field(default_factory=list)
    budget: int = CANON_TOKEN_BUDGET
    used: int = 0  # tokens of the items so far

    def add(self, key: str, text: str, **params) -> bool:
        """Adds one fact, shortened so no single fact takes more than a fifth of the budget and
        the total stays within it; a fact with no room left is listed as omitted."""
        label, shown = LABELS[key] % params, gettext(LABELS[key]) % params
        text = " ".join(text.split())
        if not text:
            return False
        room = min(self.budget - self.used, max(60, self.budget // 5)) - estimate_tokens(label) - 2
        if room < 12:
            self.omitted.append(shown)
            return False
        words = text.split()
        if estimate_tokens(text) > room:
            text = " ".join(words[: max(1, room * 3 // 4 - 1)]) + " …"
        self.items.append((label, text, shown))
        self.used += estimate_tokens(f"{label}: {text}")
        return True

    def render(self) -> str:
        return "\n".join(f"- {label}: {text}" for label, text, _ in self.items)

    @property
    def labels(self) -> list[str]:
        return [shown for _, _, shown in self.items]


def _character_summary(c: Character, *, full: bool = False) -> str:
    parts = [c.get_role_display()]
    if c.age:
        parts.append(f"age {c.age}")
    fields = Character.TEXT_FIELDS if full else ("appearance", "personality", "motivation")
    parts += [getattr(c, f) for f in fields if getattr(c, f)]
    return "; ".join(parts)


# What the canon reads of a project besides its rows: a caller that reads the project for a text
# draft reads these along (one query instead of three).
CANON_RELATED = ("story", "world")


def build_canon(project: Project, *, target=None, budget: int = CANON_TOKEN_BUDGET, characters=None,
                locations=None) -> Canon:
    """Most relevant first: the project, the target itself, characters present or referenced,
    the location, earlier scenes, then the rest of the cast and the world. `characters` and
    `locations` are the project's, when the caller has read them already."""
    canon = Canon(budget=budget)
    canon.add("title", project.title)
    canon.add("format", " / ".join(filter(None, [project.get_format_display(),
                                                         project.get_genre_display() if project.genre else "",
                                                         project.tone])))
    canon.add("logline", project.logline)
    canon.add("premise", project.premise)
    seen_characters = set()
    if isinstance(target, Character):
        canon.add("character_written", _character_summary(target, full=True), name=target.name)
        seen_characters.add(target.pk)
    if isinstance(target, Scene):
        for c in target.characters.all():
            canon.add("character_present", _character_summary(c, full=True), name=c.name)
            seen_characters.add(c.pk)
        if target.location_id:
            loc = target.location
            canon.add("location", f"{loc.description} {loc.visual_notes}", name=loc.name)
        earlier = project.scenes.filter(order__lt=target.order).order_by("-order")[:5]
        for s in reversed(list(earlier)):
            canon.add("earlier_scene", s.description, name=s.title)
    if isinstance(target, Location):
        canon.add("location_written", f"{target.description} {target.visual_notes}", name=target.name)
    story = getattr(project, "story", None)
    if story:
        canon.add("synopsis", story.synopsis)
        canon.add("themes", story.themes)
    for c in project.characters.all() if characters is None else characters:
        if c.pk not in seen_characters:
            canon.add("character", _character_summary(c), name=c.name)
    world = getattr(project, "world", None)
    if world:
        for name in WORLD_FIELDS:
            canon.add(f"world_{name}", getattr(world, name))
    already = target.pk if isinstance(target, Location) else getattr(target, "location_id", None)
    for loc in project.locations.all() if locations is None else locations:
        if loc.pk != already:
            canon.add("location", loc.description, name=loc.name)
    return canon

INSTRUCTIONS = {
    ("project", "logline"): "Write a one-sentence logline.",
    ("project", "premise"): "Write the premise in one or two paragraphs.",
    ("story", "synopsis"): "Write a synopsis of the whole story in 4–6 paragraphs.",
    ("story", "themes"): "Name the story's central themes and how the plot explores each.",
    ("beat", "description"): "Describe what happens in this story beat.",
    ("character", "appearance"): "Describe the character's appearance vividly and concretely.",
    ("character", "personality"): "Describe the character's personality, flaws and contradictions.",
    ("character", "backstory"): "Write the character's backstory.",
    ("character", "motivation"): "Describe what the character wants, needs and fears.",
    ("character", "profile"): "Write a complete character profile.",
    ("world", "setting"): "Describe the world's setting.",
    ("world", "history"): "Write the world's history.",
    ("world", "culture"): "Describe the world's cultures and daily life.",
    ("world", "rules"): "Describe the world's rules, magic or technology and their costs.",
    ("location", "description"): "Describe this location for a story bible.",
    ("location", "visual_notes"): "Write visual notes for artists: palette, light, shapes, mood.",
    ("scene", "description"): "Describe what happens in this scene.",
    ("scene", "script"): "Write this scene as a screenplay.",
}


def build(project: Project, *, target_kind: str, target=None, field: str, prompt: str, language: str = "en",
          budget: int = CANON_TOKEN_BUDGET, characters: list | None = None, locations: list | None = None) -> dict:
    """Everything a text generation needs: system prompt, user prompt, the canon used, and the
    context the offline provider drafts from. `characters` and `locations` are the project's,
    when the caller has read them already."""
    section = "script" if field == "script" else SECTION_OF_KIND.get(target_kind, "free")
    characters = list(project.characters.all()) if characters is None else characters
    locations = list(project.locations.all()) if locations is None else locations
    canon = build_canon(project, target=target, budget=budget, characters=characters, locations=locations)
    instruction = INSTRUCTIONS.get((target_kind, field), "Help with this part of the bible.")
    subject_name = getattr(target, "name", None) or getattr(target, "title", None) or ""
    user_prompt = "\n\n".join(filter(None, [
        f"{instruction}" + (f" Subject: {subject_name}." if subject_name else ""),
        f"Creator's instructions: {prompt.strip()}" if prompt.strip() else "",
        f"Canon:\n{canon.render()}" if canon.items else "",
    ]))
    system = f"{SYSTEM[section]} {RULES.format(language=LANGUAGE_NAMES.get(language, 'English'))}"
    subject = {}
    if target is not None and hasattr(target, "_meta"):
        subject = {f.name: getattr(target, f.name) for f in target._meta.concrete_fields
                   if f.get_internal_type() in ("CharField", "TextField") and getattr(target, f.name)}
    if isinstance(target, Scene):
        subject["characters"] = [c.name for c in target.characters.all()]
        subject.update({"location": target.location.name} if target.location_id else {})
        subject.update({"beat": target.beat.title} if target.beat_id else {})
    offline_section = {"script": "script", "character": "character", "world": "world", "location": "location",
                       "scene": "scene", "beat": "beats", "story": "synopsis" if field == "synopsis" else "story",
                       "project": "story"}.get(target_kind if field != "script" else "script", "free")
    context = {
        "section": offline_section,
        "project": {"title": project.title, "logline": project.logline, "premise": project.premise,
                    "genre": project.get_genre_display() if project.genre else "", "tone": project.tone,
                    "format": project.get_format_display(), "audience": project.target_audience,
                    "characters": [{"name": c.name, "role": c.role} for c in characters[:OFFLINE_NAMES]],
                    "locations": [loc.name for loc in locations[:OFFLINE_NAMES]]},
        "subject": subject,
        "field": field,
        "direction": prompt.strip(),  # the creator's own words, which the offline drafts follow where they can
        "language": language,
    }
    return {"system": system, "prompt": user_prompt, "canon": canon.labels, "omitted": canon.omitted, "context": context}


# --- image prompts ---------------------------------------------------------------------------------

def presets(kind: str) -> list[ImagePreset]:
    """The active presets of a kind, in their order (from the configuration catalog)."""
    return [p for p in catalog.snapshot().presets if p.kind == kind]


def chosen_presets(*, style: str, size: str) -> tuple[ImagePreset | None, ImagePreset | None]:
    """The style and the size asked for, else each kind's default, else its first."""
    active = catalog.snapshot().presets  # ordered by kind, sort_order, id

    def pick(kind: str, key: str) -> ImagePreset | None:
        mine = [p for p in active if p.kind == kind]
        return ((next((p for p in mine if p.key == key), None) if key else None)
                or next((p for p in mine if p.is_default), None) or (mine[0] if mine else None))

    return pick("style", style), pick("size", size)


def character_sheet_hash(character: Character) -> str:
    """Changes when a visual field of the character changes (and only then)."""
    fields = [character.name, character.appearance, character.clothing, character.accessories, character.visual_style]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


def character_prompt(character: Character, *, extra: str = "", style: ImagePreset | None = None) -> str:
    """Name, appearance, "wearing …", "with …", visual style, the creator's words, the style's
    words and quality tags."""
    parts = [character.name, character.appearance.strip()]
    if character.clothing.strip():
        parts.append(f"wearing {character.clothing.strip()}")
    if character.accessories.strip():
        parts.append(f"with {character.accessories.strip()}")
    parts += [character.visual_style.strip(), extra.strip(), style.prompt if style else "", QUALITY_TAGS]
    return ", ".join(p.rstrip(".") for p in parts if p)


def moodboard_prompt(*, characters: list[Character], action: str, pose: str, scene, setting: str, extra: str = "",
                     style: ImagePreset | None = None) -> str:
    """"A and B, action, pose, in <scene>, <setting>, cinematic composition, detailed background"."""
    names = [c.name for c in characters]
    who = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    where = f"in {scene.title}" + (f" ({scene.description.strip()[:200]})" if scene and scene.description.strip() else "") \
        if scene else ""
    parts = [who, action.strip(), pose.strip(), where, setting.strip()[:300], extra.strip(),
             "cinematic composition, detailed background", style.prompt if style else ""]
    return ", ".join(p.rstrip(".") for p in parts if p)


def moodboard_setting(moodboard: Moodboard, location=None) -> str:
    location = location or moodboard.location
    if location is not None:
        return ", ".join(filter(None, [location.name, location.visual_notes.strip() or location.description.strip()]))
    world = getattr(moodboard.project, "world", None)
    return world.setting if world else ""


def stale_asset_ids(character: Character, assets) -> set:
    """The character's generated images made from an older version of its sheet."""
    current = character_sheet_hash(character)
    return {a.pk for a in assets if (a.params or {}).get("sheet_hash") not in (None, current)}
