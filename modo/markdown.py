"""Creators' long text as formatted HTML, safely: the one place Markdown becomes HTML.

markdown-it-py parses CommonMark with raw HTML off (a `<script>` stays text), then nh3 (Ammonia)
keeps only an allow-list of tags and attributes: links may point to http, https or mailto only
and carry rel="noopener nofollow ugc". Images are not rendered: a picture in someone's text
would make every reader's browser (and the PDF renderer) fetch an address that the creator chose.
Headings are moved down three levels (# → h4), below the page's own section titles.

Templates use `{% load markdown %}{{ text|markdown }}` (modo/templatetags/markdown.py)."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener nofollow ugc"
HEADING_SHIFT = 3


def _demote_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"


# "breaks": a single line break in a textarea stays a line break, as creators (and the AI) write.
_parser = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")
_parser.core.ruler.push("demote_headings", _demote_headings)


def markdown_html(text: str | None) -> SafeString:
    """The text's Markdown as sanitised HTML, safe to put in any page, export or PDF."""
    if not text:
        return mark_safe("")
    html = _parser.render(str(text).replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                        link_rel=LINK_REL, strip_comments=True)
    return mark_safe(cleaned)  # sanitised by nh3 just above
