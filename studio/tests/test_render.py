"""A bible as readers see it: Markdown rendered safely (overview, showcase, pitch bible), the pitch
bible as a PDF, the moodboards and animations in the showcase, the pitch bible and the Markdown zip,
and a byline that never shows the creator's email."""

import io
import re
import zipfile
import zlib
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import UserFactory
from media import services as media_services
from media.images import UploadRejected, clean_image
from media.tests import test_images
from modo.markdown import markdown_html
from studio import moodboards, services, targets
from studio.exports.markdown import bible_markdown_zip
from studio.exports.pitch import BibleImageFetcher, pitch_bible_pdf
from studio.gallery import services as gallery_services
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 1">',
    "[click me](javascript:window.pwned=1)",
    '<a href="javascript:window.pwned=1">raw link</a>',
]
PAYLOAD = "**Bold** words.\n\n" + "\n\n".join(PAYLOADS)


class _Markup(HTMLParser):
    """The elements of a page as a browser builds them: (tag, attributes, text inside)."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append([tag, {name: value or "" for name, value in attrs}, ""])

    def handle_data(self, data):
        if self.elements:
            self.elements[-1][2] += data


def _dangerous(html, *, strict=False) -> list:
    """Markup in `html` that runs script or fetches from elsewhere: any such element with
    `strict`, else (a whole page, with scripts of its own) the ones the payloads would make."""
    found = []
    for tag, attrs, text in _Markup(html).elements:
        ours = "pwned" in text or any("pwned" in v or v == "x" for v in attrs.values())
        if tag in ("script", "img", "iframe", "style", "object", "embed") and (strict or ours):
            found.append(tag)
        found += [(tag, name) for name, value in attrs.items() if name.startswith("on") and (strict or ours)]
        href = attrs.get("href", "").split(":")[0].strip().lower()
        if href in ("javascript", "vbscript", "data"):
            found.append((tag, attrs["href"]))
    return found


def _png(color=(40, 120, 200), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def creator(db):
    user = UserFactory(email="ratna.sari.k@example.com", display_name="Ratna")
    give_plan(user)
    return user


@pytest.fixture
def project(creator):
    return make_project(creator, title="Kite of Ash", characters=1, locations=1, scenes=1, beats=1)


def _fill_with(project, text):
    character = project.characters.first()
    services.project_update(project=project, premise=text)
    services.story_update(project=project, synopsis=text, themes=text)
    services.world_update(project=project, setting=text, history=text, culture=text, rules=text)
    services.character_update(character=character, backstory=text, personality=text, appearance=text)
    location = project.locations.first()
    location.description = location.visual_notes = text
    location.save()
    scene = project.scenes.first()
    scene.description = text
    scene.save()
    beat = project.beats.first()
    beat.description = text
    beat.save()


def _assert_inert(html):
    assert _dangerous(html) == []
    assert "<strong>Bold</strong>" in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html  # shown as the text it is


# --- the one renderer ------------------------------------------------------------------------------

def test_markdown_is_formatted_and_links_are_marked_as_user_content():
    html = markdown_html("# Title\nline one\nline two\n\n- *a*\n- **b**\n\n[site](https://example.com)")

    assert "<h4>Title</h4>" in html and "line one<br>" in html
    assert "<li><em>a</em></li>" in html and "<li><strong>b</strong></li>" in html
    assert '<a href="https://example.com" rel="noopener nofollow ugc">site</a>' in html


@pytest.mark.parametrize("payload", PAYLOADS + [
    "[x](JaVaScRiPt:alert(1))", "[x](data:text/html,<script>alert(1)</script>)", "[x](vbscript:msgbox)",
    "![tracker](https://evil.example/pixel.png)", "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>", '<a href="https://x" onclick="alert(1)">x</a>',
])
def test_markdown_leaves_no_markup_that_runs_or_fetches(payload):
    assert _dangerous(markdown_html(payload), strict=True) == []


def test_markdown_keeps_only_http_https_and_mailto_links():
    html = markdown_html("[a](https://a.example) [b](http://b.example) [c](mailto:c@example.com) [d](ftp://d.example)")

    assert 'href="https://a.example"' in html and 'href="http://b.example"' in html
    assert 'href="mailto:c@example.com"' in html and 'href="ftp:' not in html


# --- the pages that render it ----------------------------------------------------------------------

def test_a_payload_is_inert_on_the_overview(client, creator, project):
    _fill_with(project, PAYLOAD)
    client.force_login(creator)

    html = client.get(reverse("studio:project", args=[project.public_id])).content.decode()

    hero = html[html.index('id="project-premise"'):]
    _assert_inert(hero[:hero.index("</div>")])
    _assert_inert(html)


def test_a_payload_is_inert_on_the_showcase(client, project):
    _fill_with(project, PAYLOAD)
    services.project_publish(project=project, sections=list(project.SECTIONS))

    html = client.get(reverse("showcase_detail", args=[project.slug])).content.decode()

    _assert_inert(html)
    assert html.count("<strong>Bold</strong>") >= 10  # every long field is formatted


def test_a_payload_is_inert_in_the_pitch_bible(client, creator, project):
    _fill_with(project, PAYLOAD)
    client.force_login(creator)

    html = client.get(reverse("studio:export", args=[project.public_id, "html"])).content.decode()

    body = html[html.index("<main>"):]  # the toolbar's own print button is ours
    _assert_inert(body)
    assert body.count("<strong>Bold</strong>") >= 10


def test_no_template_marks_a_creators_text_safe():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    uses = [f"{path.relative_to(root)}: {line.strip()}" for path in root.rglob("*.html")
            for line in path.read_text().splitlines() if "|safe" in line]
    # Only our own help texts (form definitions) are marked safe.
    assert all("help_text|safe" in use for use in uses), uses


# --- the pitch bible as PDF ------------------------------------------------------------------------

def test_the_pitch_bible_downloads_as_a_pdf(client, creator, project):
    _fill_with(project, "Some **bold** text.")
    gallery_services.asset_set_primary(asset=media_services.asset_store(
        data=_png(), mime="image/png", owner=creator, target=targets.target_of(project)))
    client.force_login(creator)

    response = client.get(reverse("studio:export", args=[project.public_id, "pdf"]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{project.slug}-pitch-bible.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    # The cover, the contents, then one sheet a section at least (characters, world, story, scenes).
    assert _page_count(response.content) >= 6
    assert b"/Subtype /Image" in response.content  # the cover, read from our storage


def _page_count(pdf: bytes) -> int:
    """Pages of a PDF whose objects may sit in compressed object streams."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            pass
    return len(re.findall(rb"/Type\s*/Page\b", text))


def test_the_pdf_fetcher_hands_over_only_the_bibles_own_pictures():
    image = type("I", (), {"name": "cover.png", "mime": "image/png", "data": b"png"})()
    fetch = BibleImageFetcher({"cover.png": image})

    assert fetch("modo-image:cover.png").read() == b"png"
    for url in ("https://example.com/x.png", "http://127.0.0.1:8000/admin/", "file:///etc/passwd",
                "modo-image:other.png", "data:image/png;base64,AAAA"):
        with pytest.raises(ValueError):
            fetch(url)


def test_an_outsider_gets_404_for_the_pdf(client, project):
    client.force_login(UserFactory())

    assert client.get(reverse("studio:export", args=[project.public_id, "pdf"])).status_code == 404


def test_the_pitch_page_offers_the_pdf(client, creator, project):
    client.force_login(creator)

    html = client.get(reverse("studio:export", args=[project.public_id, "html"])).content.decode()
    overview = client.get(reverse("studio:project", args=[project.public_id])).content.decode()

    pdf_url = reverse("studio:export", args=[project.public_id, "pdf"])
    assert f'href="{pdf_url}"' in html and f'href="{pdf_url}"' in overview


# --- moodboards and animations ---------------------------------------------------------------------

@pytest.fixture
def visuals(creator, project):
    """A moodboard with two pictures (the primary one is shown) and an animation of it with a poster."""
    board = moodboards.moodboard_create(project=project, title="Ash over the bay", action="watching the glow",
                                        characters=list(project.characters.all()))
    target = targets.target_of(board)
    shown = media_services.asset_store(data=_png((250, 120, 40)), mime="image/png", owner=creator, target=target)
    gallery_services.asset_set_primary(asset=shown)
    hidden = media_services.asset_store(data=_png((10, 10, 10)), mime="image/png", owner=creator, target=target)
    video = media_services.asset_store(data=test_images.mp4(), mime="video/mp4", owner=creator, target=target)
    video = media_services.asset_thumbnail_make(asset=video)
    return {"board": board, "shown": shown, "hidden": hidden, "video": video}


def test_the_showcase_shows_published_moodboards_and_animations(client, project, visuals):
    services.project_publish(project=project, sections=["story", "scenes"])

    html = client.get(reverse("showcase_detail", args=[project.slug])).content.decode()

    file_url = lambda asset: reverse("studio:showcase_file", args=[project.slug, asset.public_id])  # noqa: E731
    assert "Ash over the bay" in html and 'id="animations"' in html
    assert file_url(visuals["shown"]) in html and file_url(visuals["hidden"]) not in html
    assert file_url(visuals["video"]) + "?size=thumb" in html
    assert client.get(file_url(visuals["shown"])).status_code == 200
    assert client.get(file_url(visuals["video"])).status_code == 200
    assert client.get(file_url(visuals["video"]) + "?size=thumb")["Content-Type"] == "image/webp"
    assert client.get(file_url(visuals["hidden"])).status_code == 404


def test_the_showcase_keeps_moodboards_of_an_unpublished_section_private(client, project, visuals):
    services.project_publish(project=project, sections=["story"])

    html = client.get(reverse("showcase_detail", args=[project.slug])).content.decode()

    assert "Ash over the bay" not in html and 'id="animations"' not in html
    for asset in (visuals["shown"], visuals["video"]):
        assert client.get(reverse("studio:showcase_file", args=[project.slug, asset.public_id])).status_code == 404


def test_the_pitch_bible_has_the_moodboards_and_animations(client, creator, project, visuals):
    client.force_login(creator)

    html = client.get(reverse("studio:export", args=[project.public_id, "html"])).content.decode()

    moodboard = html[html.index('id="moodboards"'):]
    assert "Ash over the bay" in moodboard and "watching the glow" in moodboard
    assert 'class="visual__image" src="data:image/png;base64,' in moodboard
    animations = html[html.index('id="animations"'):]
    assert 'class="animation__poster" src="data:image/webp;base64,' in animations
    # Not published: the link is the creator's own page of the video.
    assert reverse("studio:asset", args=[visuals["video"].public_id]) in animations


def test_the_pdf_embeds_the_moodboard_and_the_poster(creator, project, visuals):
    pdf = pitch_bible_pdf(project)

    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Subtype /Image") >= 2


def test_the_markdown_zip_has_the_moodboards_and_animations(project, visuals):
    archive = zipfile.ZipFile(io.BytesIO(bible_markdown_zip(project)))

    names = archive.namelist()
    assert "moodboards.md" in names and "images/moodboards/ash-over-the-bay.png" in names
    assert "images/animations/ash-over-the-bay.webp" in names
    text = archive.read("moodboards.md").decode()
    assert "## Ash over the bay" in text and "](images/moodboards/ash-over-the-bay.png)" in text
    assert "watching the glow" in text
    assert "](images/animations/ash-over-the-bay.webp)" in text
    assert reverse("studio:asset", args=[visuals["video"].public_id]) in text
    assert "(moodboards.md)" in archive.read("README.md").decode()


# --- the byline ------------------------------------------------------------------------------------

def test_the_byline_is_the_pen_name_asked_for_at_publish_time(client, creator, project):
    client.force_login(creator)

    client.post(reverse("studio:publish", args=[project.public_id]),
                {"sections": ["story"], "pen_name": "  Kabut Senja  "})
    client.logout()

    project.refresh_from_db()
    assert project.pen_name == "Kabut Senja"
    detail = client.get(reverse("showcase_detail", args=[project.slug])).content.decode()
    listing = client.get(reverse("showcase")).content.decode()
    assert "Kabut Senja" in detail and "Kabut Senja" in listing and "Ratna" not in detail
    client.force_login(creator)
    pitch = client.get(reverse("studio:export", args=[project.public_id, "html"])).content.decode()
    assert "Kabut Senja" in pitch


def test_unpublishing_keeps_the_pen_name_for_next_time(client, creator, project):
    services.project_publish(project=project, sections=["story"], pen_name="Kabut Senja")
    client.force_login(creator)

    client.post(reverse("studio:publish", args=[project.public_id]))  # the "Unpublish" button

    project.refresh_from_db()
    assert not project.is_published and project.pen_name == "Kabut Senja"


def test_without_a_pen_name_the_byline_is_the_display_name(client, project):
    services.project_publish(project=project, sections=["story"])

    assert "Ratna" in client.get(reverse("showcase_detail", args=[project.slug])).content.decode()


def test_no_part_of_the_email_is_ever_shown(client, creator, project, visuals):
    creator.display_name = ""
    creator.save()
    services.project_publish(project=project, sections=list(project.SECTIONS))

    pages = [client.get(reverse("showcase_detail", args=[project.slug])).content.decode(),
             client.get(reverse("showcase")).content.decode()]
    client.force_login(creator)
    pages.append(client.get(reverse("studio:export", args=[project.public_id, "html"])).content.decode())

    for html in pages:
        assert "ratna.sari.k" not in html and creator.email not in html
    assert "a MODO creator" in pages[0] and "a MODO creator" in pages[1] and "a MODO creator" in pages[2]


def test_a_truncated_upload_stays_refused_after_a_pdf_was_made(creator, project):
    """Importing WeasyPrint switches Pillow, process-wide, to accepting truncated images: making a
    pitch PDF must not weaken the upload decoder."""
    assert pitch_bible_pdf(project).startswith(b"%PDF")

    with pytest.raises(UploadRejected):
        clean_image(test_images.png_with_short_pixel_data())
