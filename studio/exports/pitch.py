"""The pitch bible: the whole bible as one standalone, print-ready HTML page (A4, one section a
page, pictures inlined as data URIs) that a browser shows, downloads or saves as PDF. The layout is
the template studio/export/pitch_bible.html.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from ..models import Project
from .bible import Bible


def pitch_bible_html(project: Project, *, request=None, for_download: bool = False) -> str:
    """A standalone, print-ready page (A4, one section a page) that a browser saves as PDF."""
    bible = Bible(project)
    relationships = bible.relationships_by_character()
    return render_to_string("studio/export/pitch_bible.html", {
        "project": project, "story": bible.story, "world": bible.world, "beats": bible.beats,
        "characters": [{"character": c, "relationships": relationships.get(c.pk, []), "image": bible.images.get(c.pk)}
                       for c in bible.characters],
        "locations": bible.locations, "scenes": bible.scenes, "cover": bible.images.get("cover"),
        "for_download": for_download, "exported_at": timezone.now(),
    }, request=request)
