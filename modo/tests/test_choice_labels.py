"""get_<field>_display() on our models (modo.models.TimeStamped): the label of the value in the
reader's language, found without translating every other choice of the field."""

from unittest import mock

from django.utils import translation

from studio.models import Character


def test_the_label_is_in_the_active_language_and_an_unknown_value_shows_as_it_is():
    hero = Character(name="Laras", role=Character.Role.PROTAGONIST)
    with translation.override("en"):
        english = hero.get_role_display()
    with translation.override("id"):
        indonesian = hero.get_role_display()
    assert english == "Protagonist"
    assert indonesian and indonesian != english
    assert Character(role="not-a-role").get_role_display() == "not-a-role"


def test_only_the_label_shown_is_translated():
    hero = Character(name="Laras", role=Character.Role.PROTAGONIST)
    hero.get_role_display()  # the field's labels are kept from here on
    with mock.patch("django.utils.translation._trans.gettext", side_effect=lambda message: message) as gettext:
        assert hero.get_role_display() == "Protagonist"
    assert gettext.call_count == 1
