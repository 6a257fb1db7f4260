import pytest

from studio import services
from studio.generate import prompts

from .factories import give_plan, make_project


@pytest.mark.django_db
def test_canon_includes_the_characters_in_the_scene_and_stays_within_budget(user):
    give_plan(user, "unlimited")
    project = make_project(user, characters=60, scenes=40, locations=10)
    for c in project.characters.all():
        services.character_update(character=c, backstory="A very long backstory. " * 200)
    scene = project.scenes.order_by("order").last()

    built = prompts.build(project, target_kind="scene", target=scene, field="script", prompt="Make it tense",
                          budget=800)

    canon_text = built["prompt"].split("Canon:\n", 1)[1]
    assert prompts.estimate_tokens(canon_text) <= 800 + 60  # the labels' own bullets
    assert any(label.startswith("Character Character 0 (in this scene)") for label in built["canon"])
    assert any(label.startswith("Location Place 0") for label in built["canon"])
    assert "Logline" in built["canon"] and "Premise" in built["canon"]
    assert built["omitted"]  # 60 characters cannot all fit: some were left out, and we say so
    assert "screenplay" in built["system"].lower()


@pytest.mark.django_db
def test_system_prompt_answers_in_the_creators_language(user):
    give_plan(user)
    project = make_project(user, characters=1, scenes=0)

    built = prompts.build(project, target_kind="character", target=project.characters.first(), field="backstory",
                          prompt="", language="id")

    assert "Bahasa Indonesia" in built["system"]
    assert built["context"]["section"] == "character"
    assert built["context"]["subject"]["name"] == "Character 0"


@pytest.mark.django_db
def test_creator_sees_canon_labels_in_their_language_while_the_prompt_stays_english(user):
    from django.utils import translation

    give_plan(user)
    project = make_project(user, characters=1, scenes=0)

    with translation.override("id"):
        built = prompts.build(project, target_kind="character", target=project.characters.first(), field="backstory",
                              prompt="", language="id")

    assert "Karakter Character 0 (sedang ditulis)" in built["canon"]
    assert "Character Character 0 (being written):" in built["prompt"]


@pytest.mark.django_db
def test_offline_context_carries_the_creators_direction_and_the_bibles_names(user):
    give_plan(user)
    project = make_project(user, characters=2, locations=2, scenes=1)
    scene = project.scenes.first()

    built = prompts.build(project, target_kind="scene", target=scene, field="description", prompt="  2 paragraphs  ")

    context = built["context"]
    assert context["direction"] == "2 paragraphs" and context["field"] == "description"
    assert [c["name"] for c in context["project"]["characters"]] == ["Character 0", "Character 1"]
    assert context["project"]["locations"] == ["Place 0", "Place 1"]
    assert context["subject"]["characters"] == ["Character 0", "Character 1"]
    assert context["subject"]["location"] == "Place 0"
    assert "no headings" in built["system"] and "no preamble" in built["system"]
