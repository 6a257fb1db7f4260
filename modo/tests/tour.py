"""The main pages of the product, for the browser tours (console errors, accessibility, screenshots):
the public pages, a creator's pages over the filled demo bible, and the admin index."""


from django.core.management import call_command

from accounts.tests.factories import PASSWORD, UserFactory
from media.models import MediaAsset
from studio.models import Project
from studio.services import project_publish

PUBLIC = ["/", "/features/", "/pricing/", "/showcase/", "/about/", "/contact/", "/auth/", "/auth/?tab=register"]
SECTIONS = ["", "story/", "characters/", "world/", "scenes/", "script/", "moodboards/", "gallery/", "publish/"]
APP = ["/dashboard/", "/studio/", "/studio/jobs/", "/settings/credits/", "/settings/subscription/",
       "/settings/profile/", "/settings/storage/", "/settings/api-keys/", "/notifications/",
       "/settings/notifications/"]



def demo_creator():
    """The demo creator with the filled demo bible `make run` seeds, published on the showcase;
    returns (email, project)."""
    call_command("seed_demo", email="demo@example.com", password=PASSWORD, stdout=open("/dev/null", "w"))
    project = Project.objects.get(owner__email="demo@example.com")
    project_publish(project=project, sections=list(Project.SECTIONS))
    return "demo@example.com", project


def public_pages(project) -> list[str]:
    return PUBLIC + [f"/showcase/{project.slug}/"]


def app_pages(project) -> list[str]:
    base = f"/studio/{project.public_id}/"
    character = project.characters.order_by("pk").first()
    pages = APP + [base + section for section in SECTIONS]
    if character is not None:
        pages.append(f"/studio/characters/{character.public_id}/")
    asset = MediaAsset.objects.filter(project=project).order_by("pk").first()
    if asset is not None:
        pages.append(f"/media/assets/{asset.public_id}/")
    return pages


def admin_user():
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
