from django.conf import settings


def site(request):
    return {"SITE_NAME": "MODO Creator Verse", "DEBUG": settings.DEBUG}
