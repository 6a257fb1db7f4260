"""modo.cache.fragment_version: a cached fragment's key changes with what it shows and with the
templates that draw it (a deploy never serves markup its old templates cached)."""

import pytest

from modo.cache import fragment_version, templates_digest


@pytest.fixture
def templates(settings, tmp_path):
    (tmp_path / "studio").mkdir()
    (tmp_path / "studio" / "_row.html").write_text("<li>{{ name }}</li>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    templates_digest.cache_clear()
    yield tmp_path
    templates_digest.cache_clear()


def test_the_version_follows_what_is_shown(templates):
    assert fragment_version(["Laras", "lead"]) == fragment_version(["Laras", "lead"])
    assert fragment_version(["Laras", "lead"]) != fragment_version(["Laras", "mentor"])


def test_a_changed_or_added_template_makes_a_new_version(templates):
    before = fragment_version(["Laras"])
    (templates / "studio" / "_row.html").write_text('<li class="row">{{ name }}</li>')
    assert fragment_version(["Laras"]) == before  # read once per process
    templates_digest.cache_clear()  # the next process: a deploy
    changed = fragment_version(["Laras"])
    assert changed != before
    (templates / "studio" / "_other.html").write_text("")
    templates_digest.cache_clear()
    assert fragment_version(["Laras"]) not in (before, changed)

