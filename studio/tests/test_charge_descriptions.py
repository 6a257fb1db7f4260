"""Studio tells the ledger what each charge was for (credits knows nothing of jobs): the credit
statement then reads "Character image · Laras Wening" with a link to her page."""

import pytest
from django.urls import reverse

from credits import statement
from credits.models import LedgerEntry
from studio.generate import drafts, jobs

from .factories import give_plan, make_project


@pytest.fixture
def project(user):
    give_plan(user)
    return make_project(user, characters=1)


@pytest.mark.django_db
def test_a_character_image_job_is_described_by_its_kind_and_the_characters_name(user, project):
    laras = project.characters.get()
    laras.name = "Laras Wening"
    laras.save()

    job = jobs.character_image_request(user=user, character=laras)

    line = statement.line(statement.statement_entries(account=job.hold.account, kind="charge").get())
    assert line.description == "Character image · Laras Wening"
    assert line.url == reverse("studio:character", args=[laras.public_id])
    assert line.state == "pending"


@pytest.mark.django_db
def test_a_text_draft_is_described_by_its_field_and_links_to_its_page(user, project):
    list(drafts.text_stream(user=user, project=project, target_kind="story", target_id=None, field="synopsis",
                            prompt=""))

    entry = LedgerEntry.objects.get(kind="hold")
    line = statement.line(statement.statement_entries(account=entry.account, kind="charge").get())
    assert line.description == f"Text draft · {project.title} · Synopsis"
    assert line.url == reverse("studio:story", args=[project.public_id])
    assert line.state == "charged" and line.amount < 0
