from django import template

from modo.admin_site import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar_app_list(context):
    """The admin sidebar's app list, remembered (modo.admin_site.navigation)."""
    return navigation.sidebar_html(context)
