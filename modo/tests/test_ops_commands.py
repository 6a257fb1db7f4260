"""The ops commands added for the control room: each is idempotent and --dry-run changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from aiproviders.models import UsageLog
from credits.models import LedgerEntry
from credits.selectors import credit_account_for
from studio.generate import jobs, worker
from studio.models import Generation
from studio.tests.factories import give_plan, make_project

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_grant_credits_writes_one_ledger_entry_even_when_run_twice(user):
    before = credit_account_for(user=user).balance
    assert "dry run" in run("grant_credits", "--email", user.email.upper(), "--amount", "40", "--reason", "Promo",
                            "--dry-run")
    assert not LedgerEntry.objects.filter(kind="admin_adjust").exists()

    run("grant_credits", "--email", user.email, "--amount", "40", "--reason", "Promo")
    run("grant_credits", "--email", user.email, "--amount", "40", "--reason", "Promo")

    entry = LedgerEntry.objects.get(kind="admin_adjust")
    assert (entry.amount, entry.reason) == (40, "Promo")
    assert credit_account_for(user=user).balance == before + 40
    with pytest.raises(CommandError):
        run("grant_credits", "--email", "nobody@example.com", "--amount", "1", "--reason", "x")
    with pytest.raises(CommandError):
        run("grant_credits", "--email", user.email, "--amount", "-100000", "--reason", "Too much")


def test_prune_usage_logs_keeps_recent_rows(db):
    old = timezone.now() - timezone.timedelta(days=200)
    UsageLog.objects.bulk_create([UsageLog(kind="text", status="ok", created_at=old) for _ in range(3)]
                                 + [UsageLog(kind="text", status="ok")])
    assert "3" in run("prune_usage_logs", "--older-than", "90", "--dry-run")
    assert UsageLog.objects.count() == 4
    run("prune_usage_logs", "--older-than", "90")
    run("prune_usage_logs", "--older-than", "90")
    assert UsageLog.objects.count() == 1
    with pytest.raises(CommandError):
        run("prune_usage_logs", "--older-than", "0")


def test_sweep_jobs_dry_run_then_for_real(user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    give_plan(user, "pro")
    character = make_project(user, characters=1, scenes=0).characters.get()
    job = jobs.character_image_request(user=user, character=character)
    worker.job_claim(job.pk)
    Generation.objects.filter(pk=job.pk).update(started_at=timezone.now() - timezone.timedelta(hours=1))

    assert "failed and released: 1 (dry run" in run("sweep_jobs", "--dry-run")
    assert Generation.objects.get(pk=job.pk).status == "running"
    run("sweep_jobs")
    run("sweep_jobs")
    job.refresh_from_db()
    assert job.status == "failed" and job.hold.status == "released"
