"""The active language does not leak from one test to the next (conftest._default_language).

The two tests run in this order: the first leaves Indonesian active, as a request with the
Indonesian cookie or a translation.activate("id") would; the second must still start in the
default language."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def test_a_test_that_switches_to_indonesian_and_leaves_it_active():
    translation.activate("id")

    assert translation.get_language() == "id"
    assert gettext("Title") == "Judul"


def test_the_next_test_starts_in_the_default_language():
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert gettext("Title") == "Title"
