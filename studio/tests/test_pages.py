import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from studio import services
from studio.models import Project

from .factories import give_plan, make_project


@pytest.fixture
def project(user):
    give_plan(user)
    return make_project(user, beats=2)


def project_urls(project):
    c, loc, scene, beat = (project.characters.first(), project.locations.first(), project.scenes.first(),
                           project.beats.first())
    p = project.public_id
    return [
        reverse("studio:project", args=[p]), reverse("studio:story", args=[p]), reverse("studio:characters", args=[p]),
        reverse("studio:character", args=[c.public_id]), reverse("studio:world", args=[p]),
        reverse("studio:location", args=[loc.public_id]), reverse("studio:scenes", args=[p]),
        reverse("studio:scene", args=[scene.public_id]), reverse("studio:beat", args=[beat.public_id]),
        reverse("studio:script", args=[p]), reverse("studio:publish", args=[p]),
        reverse("studio:project_delete", args=[p]), reverse("studio:generate_quote", args=[p]),
        reverse("studio:drafts", args=[p]) + "?target_kind=story&field=synopsis",
    ]


@pytest.mark.django_db
def test_owner_sees_every_page(client, user, project):
    client.force_login(user)
    for url in [reverse("studio:projects"), reverse("studio:project_new"), reverse("studio:trash"), *project_urls(project)]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_outsider_gets_404_on_every_page_and_action(client, outsider, project):
    client.force_login(outsider)
    for url in project_urls(project):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "hacked", "name": "hacked", "action": "delete"}).status_code in (404, 405), url
    p = project.public_id
    for url in (reverse("studio:project_restore", args=[p]), reverse("studio:reorder", args=[p, "scenes"]),
                reverse("studio:beat_create", args=[p]), reverse("studio:beats_template", args=[p]),
                reverse("studio:relationship_add", args=[project.characters.first().public_id])):
        assert client.post(url, {"title": "x", "structure": "three_act"}).status_code == 404, url
    project.refresh_from_db()
    assert project.title == "The Ember Kite" and project.deleted_at is None
    assert project.characters.count() == 2 and project.scenes.count() == 2


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client, project):
    for url in project_urls(project):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), url


@pytest.mark.django_db
def test_projects_beyond_the_plan_limit_are_refused_with_an_upgrade_path(client, user):
    client.force_login(user)  # Trial: one project
    client.post(reverse("studio:project_new"), {"title": "First", "format": "series", "status": "draft"})

    response = client.post(reverse("studio:project_new"), {"title": "Second", "format": "series", "status": "draft"})

    assert response.status_code == 200
    assert "Upgrade" in " ".join(response.context["form"].non_field_errors())
    assert Project.objects.filter(owner=user).count() == 1


@pytest.mark.django_db
def test_delete_goes_to_trash_and_restore_brings_it_back(client, user, project):
    client.force_login(user)

    client.post(reverse("studio:project_delete", args=[project.public_id]))
    assert client.get(reverse("studio:project", args=[project.public_id])).status_code == 404
    assert project in client.get(reverse("studio:trash")).context["projects"]

    client.post(reverse("studio:project_restore", args=[project.public_id]))
    assert client.get(reverse("studio:project", args=[project.public_id])).status_code == 200


@pytest.mark.django_db
def test_project_list_searches_filters_and_sorts(client, user):
    give_plan(user)
    services.project_create(owner=user, title="Kite of Embers", genre="fantasy", status="in_progress")
    services.project_create(owner=user, title="Neon Rain", genre="sci_fi", status="draft")
    client.force_login(user)

    def titles(**params):
        return [p.title for p in client.get(reverse("studio:projects"), params).context["page"].object_list]

    assert titles(q="neon") == ["Neon Rain"]
    assert titles(genre="fantasy") == ["Kite of Embers"]
    assert titles(status="draft") == ["Neon Rain"]
    assert titles(sort="title") == ["Kite of Embers", "Neon Rain"]


@pytest.mark.django_db
def test_scene_form_only_links_this_projects_characters(client, user, outsider, project):
    give_plan(outsider)
    theirs = make_project(outsider, title="Theirs").characters.first()
    scene = project.scenes.first()
    client.force_login(user)

    response = client.post(reverse("studio:scene", args=[scene.public_id]),
                           {"title": scene.title, "characters": [str(theirs.pk)]})

    assert response.status_code == 200 and response.context["form"].errors["characters"]
    assert theirs not in scene.characters.all()


@pytest.mark.django_db
def test_relationships_show_from_both_ends(client, user, project):
    a, b = project.characters.all()[:2]
    services.relationship_add(source=a, target=b, kind="mentor", note="since the flood")
    client.force_login(user)

    from_a = client.get(reverse("studio:character", args=[a.public_id])).context["relationships"]
    from_b = client.get(reverse("studio:character", args=[b.public_id])).context["relationships"]

    assert [(r["other"], r["outgoing"]) for r in from_a] == [(b, True)]
    assert [(r["other"], r["outgoing"]) for r in from_b] == [(a, False)]


@pytest.mark.django_db
def test_move_buttons_work_without_javascript(client, user, project):
    client.force_login(user)
    first, second = project.scenes.all()
    url = reverse("studio:reorder", args=[project.public_id, "scenes"])

    response = client.post(url, {"move": f"{second.public_id}:up", "next": "https://evil.example/"})

    assert list(project.scenes.all()) == [second, first]
    assert response.url == reverse("studio:project", args=[project.public_id])


@pytest.mark.django_db
def test_reorder_scenes(client, user, project):
    client.force_login(user)
    first, second = project.scenes.all()

    client.post(reverse("studio:reorder", args=[project.public_id, "scenes"]), {"order": [second.public_id, first.public_id]})

    assert list(project.scenes.all()) == [second, first]


@pytest.mark.django_db
def test_the_cached_characters_list_shows_every_change_at_once(client, user, project):
    client.force_login(user)
    url = reverse("studio:characters", args=[project.public_id])
    first, second = project.characters.all()
    client.get(url)  # its rows are now cached

    services.character_update(character=first, name="Renamed hero", personality="Bold now")
    page = client.get(url).content.decode()
    assert "Renamed hero" in page and "Bold now" in page

    client.post(reverse("studio:reorder", args=[project.public_id, "characters"]),
                {"order": [second.public_id, first.public_id]})  # a bulk update: no updated_at moves
    page = client.get(url).content.decode()
    assert page.index(f'data-id="{second.public_id}"') < page.index(f'data-id="{first.public_id}"')

    client.cookies["modo_language"] = "id"  # the same rows, in the other language
    page = client.get(url).content.decode()
    assert "Pendukung" in page and ">Supporting<" not in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["studio:project", "studio:characters", "studio:scenes", "studio:script"])
def test_query_counts_do_not_grow_with_the_bible(client, user, page):
    give_plan(user, "premium")
    small = make_project(user, title="Small", characters=1, scenes=1, locations=1)
    large = make_project(user, title="Large", characters=50, scenes=100, locations=5)
    client.force_login(user)
    count_queries(client, reverse(page, args=[small.public_id]))  # warm the session and account

    small_count = count_queries(client, reverse(page, args=[small.public_id]))
    large_count = count_queries(client, reverse(page, args=[large.public_id]))

    assert small_count == large_count == EXPECTED_QUERIES[page]


# session, user + the page's own reads (the app shell's credit summary is cached after the first
# request); the same for 1 or 50 characters / 100 scenes.
# The overview: +2 for its gallery (the cover & images, and the Drive connection); its story and
# world come with the project.
EXPECTED_QUERIES = {"studio:project": 6, "studio:characters": 4, "studio:scenes": 5, "studio:script": 5}


@pytest.mark.django_db
def test_published_page_shows_only_published_sections(client, user, project):
    hero = project.characters.first()
    services.character_update(character=hero, backstory="SECRET-BACKSTORY")
    services.story_update(project=project, synopsis="PUBLIC-SYNOPSIS")
    services.project_publish(project=project, sections=["story"])

    html = client.get(reverse("showcase_detail", args=[project.slug])).content.decode()

    assert "PUBLIC-SYNOPSIS" in html
    assert "SECRET-BACKSTORY" not in html and hero.name not in html
    assert user.email not in html
    assert project.title in client.get(reverse("showcase")).content.decode()

    client.force_login(user)
    client.post(reverse("studio:publish", args=[project.public_id]))  # "Unpublish": no section ticked
    client.logout()
    assert client.get(reverse("showcase_detail", args=[project.slug])).status_code == 404
    assert project.title not in client.get(reverse("showcase")).content.decode()


@pytest.mark.django_db
def test_the_unpublish_button_makes_the_bible_private_again(client, user, project):
    services.project_publish(project=project, sections=["story", "characters"])
    client.force_login(user)
    url = reverse("studio:publish", args=[project.public_id])
    page = client.get(url).content.decode()
    button = page[page.index('<form method="post" action="' + url + '" data-confirm='):]
    button = button[:button.index("</form>")]
    assert 'id="unpublish-button"' in button and 'name="sections"' not in button  # it posts no section

    response = client.post(url, follow=True)

    project.refresh_from_db()
    assert not project.is_published and project.published_sections == [] and project.published_at is None
    assert "Unpublished. Your bible is private again." in response.content.decode()
    assert 'id="unpublish-button"' not in response.content.decode()


@pytest.mark.django_db
def test_a_deleted_project_leaves_the_showcase_at_once(client, user, project):
    services.project_publish(project=project, sections=["story", "characters"])
    services.project_delete(project=project)

    assert client.get(reverse("showcase_detail", args=[project.slug])).status_code == 404
