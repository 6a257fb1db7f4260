"""modo.templatetags.links: `{% id_url %}` writes what `{% url %}` writes, reversing once."""

import uuid
from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from modo.templatetags import links

IDS = [uuid.uuid4() for _ in range(3)]


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize(("viewname", "args"), [("studio:asset", ()), ("media:thumb", ()), ("media:file", ()),
                                                ("studio:asset_action", ("favourite",)),
                                                ("studio:asset_action", ("delete",))])
def test_it_writes_what_reverse_writes_in_every_language(language, viewname, args):
    with translation.override(language):
        for public_id in IDS:
            assert links.id_url(viewname, public_id, *args) == reverse(viewname, args=[public_id, *args])
            assert links.id_url(viewname, str(public_id), *args) == reverse(viewname, args=[public_id, *args])


def test_a_list_reverses_once_per_view_and_arguments():
    links._patterns.clear()
    template = Template("{% load links %}{% for a in assets %}{% id_url 'studio:asset' a %} "
                        "{% id_url 'studio:asset_action' a 'delete' as gone %}{{ gone }} {% endfor %}")
    with mock.patch.object(links, "reverse", wraps=reverse) as spy:
        html = template.render(Context({"assets": IDS}))

    assert spy.call_count == 2
    for public_id in IDS:
        assert reverse("studio:asset", args=[public_id]) in html
        assert reverse("studio:asset_action", args=[public_id, "delete"]) in html


def test_not_an_id_is_refused_as_url_refuses_it():
    with pytest.raises(ValueError):
        links.id_url("studio:asset", "not-a-uuid")
