"""`{% load markdown %}{{ text|markdown }}`: a creator's long text as formatted, sanitised HTML
(modo/markdown.py). Never `|safe` on a creator's text: this filter is the way to format it."""

from django import template

from modo.markdown import markdown_html

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return markdown_html(text)
