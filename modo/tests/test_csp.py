"""The Content-Security-Policy header on every page, and the endpoint browsers report violations to."""

import json
import logging
import re

import pytest
from django.test import override_settings

from modo.tests import tour

REQUIRED = [
    "default-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "connect-src 'self'",
    "report-uri /csp-report/",
]


def _directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part for part in (p.strip() for p in header.split(";")) if part}


def _assert_strict(response, path):
    directives = _directives(response)
    for required in REQUIRED:
        assert directives[required.split(" ", 1)[0]] == required, f"{path}: {directives}"
    for name in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[name] and "'unsafe-eval'" not in directives[name], path
    assert directives["form-action"].startswith("form-action 'self'"), path
    assert directives["img-src"] == "img-src 'self' data: blob:", path  # local storage: nothing else
    assert directives["media-src"] == "media-src 'self' blob:", path
    html = response.content.decode()
    assert not re.search(r"\sstyle=", html), f"{path}: a style attribute"
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{_nonce(response)}"' in tag, f"{path}: {tag}"


def _nonce(response) -> str | None:
    match = re.search(r"'nonce-([^']+)'", _directives(response)["script-src"])
    return match and match.group(1)


@pytest.mark.django_db
def test_every_page_carries_the_policy(client, seeded_defaults):
    email, project = tour.demo_creator()
    tour.admin_user()
    pages = tour.public_pages(project) + ["/no-such-page/", "/accounts/password/reset/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        _assert_strict(response, path)
    client.force_login(project.owner)
    for path in tour.app_pages(project) + [f"/studio/{project.public_id}/export/html/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_strict(response, path)
    client.logout()
    client.login(email="root@example.com", password=tour.PASSWORD)
    for path in ["/admin/", "/admin/accounts/user/", "/admin/analytics/", "/admin/credits/creditaccount/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_strict(response, path)


@pytest.mark.django_db
def test_inline_script_carries_a_nonce_that_changes_per_request(client):
    first, second = client.get("/"), client.get("/")

    nonces = [_nonce(first), _nonce(second)]
    assert all(nonces) and nonces[0] != nonces[1]
    assert f'<script nonce="{nonces[0]}">' in first.content.decode()
    assert "<script>" not in first.content.decode() and "style=" not in first.content.decode()


@pytest.mark.django_db
def test_bucket_hosts_come_from_the_storage_settings():
    from django.conf import settings

    from modo.settings import base

    s3 = {"default": {"OPTIONS": {"bucket_name": "modo-files", "endpoint_url": "https://acct.r2.cloudflarestorage.com",
                                  "custom_domain": "cdn.example.org", "region_name": None}}}
    assert base.storage_origins("s3", s3) == ["https://cdn.example.org", "https://acct.r2.cloudflarestorage.com",
                       "https://modo-files.acct.r2.cloudflarestorage.com"]
    aws = {"default": {"OPTIONS": {"bucket_name": "modo-files", "region_name": "ap-southeast-1"}}}
    assert base.storage_origins("s3", aws) == ["https://modo-files.s3.amazonaws.com",
                                               "https://modo-files.s3.ap-southeast-1.amazonaws.com"]
    assert base.storage_origins("local", settings.STORAGES) == []


# --- the report endpoint ------------------------------------------------------------------------

REPORT = {"csp-report": {
    "document-uri": "https://modo.example/studio/", "violated-directive": "script-src-elem",
    "effective-directive": "script-src-elem", "blocked-uri": "https://evil.example/x.js",
    "original-policy": "default-src 'self'; secret-looking stuff", "script-sample": "alert(1)",
}}


def _post(client, body, ip="203.0.113.7", content_type="application/csp-report"):
    return client.post("/csp-report/", data=body, content_type=content_type, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_a_report_is_logged_as_one_warning_line_without_the_body(client, caplog):
    with caplog.at_level(logging.WARNING, logger="modo.views"):
        response = _post(client, json.dumps(REPORT))

    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "modo.views"]
    assert record.levelno == logging.WARNING
    line = record.getMessage()
    assert line == ("CSP violation: directive=script-src-elem blocked=https://evil.example/x.js "
                    "document=https://modo.example/studio/")
    assert "original-policy" not in line and "alert(1)" not in line


@pytest.mark.django_db
def test_reporting_api_batches_log_one_line_per_report(client, caplog):
    batch = [{"type": "csp-violation", "body": {"documentURL": f"https://modo.example/{n}/", "blockedURL": "inline",
                                               "effectiveDirective": "style-src-attr"}} for n in range(2)]
    with caplog.at_level(logging.WARNING, logger="modo.views"):
        response = _post(client, json.dumps(batch), content_type="application/reports+json")

    assert response.status_code == 204
    lines = [r.getMessage() for r in caplog.records if r.name == "modo.views"]
    assert lines == [f"CSP violation: directive=style-src-attr blocked=inline document=https://modo.example/{n}/"
                     for n in range(2)]


@pytest.mark.django_db
def test_report_values_are_cut_short_and_kept_on_one_line(client, caplog):
    report = {"csp-report": {"blocked-uri": "https://x.example/\nFAKE LOG LINE" + "a" * 5000}}
    with caplog.at_level(logging.WARNING, logger="modo.views"):
        _post(client, json.dumps(report))

    [line] = [r.getMessage() for r in caplog.records if r.name == "modo.views"]
    assert "\n" not in line and len(line) < 500


@pytest.mark.django_db
def test_huge_reports_are_refused_unread(client, caplog):
    huge = json.dumps({"csp-report": {"blocked-uri": "x" * 20_000}})
    with caplog.at_level(logging.WARNING, logger="modo.views"):
        response = _post(client, huge)

    assert response.status_code == 413
    assert not [r for r in caplog.records if r.name == "modo.views"]


@pytest.mark.django_db
def test_malformed_reports_and_gets_are_refused(client):
    assert _post(client, "not json").status_code == 400
    assert client.get("/csp-report/").status_code == 405


@pytest.mark.django_db
@override_settings(CSP_REPORT_RATE_PER_MINUTE=3)
def test_reports_are_rate_limited_per_address(client, caplog):
    with caplog.at_level(logging.WARNING, logger="modo.views"):
        statuses = [_post(client, json.dumps(REPORT)).status_code for _ in range(5)]
        other = _post(client, json.dumps(REPORT), ip="198.51.100.9").status_code

    assert statuses == [204, 204, 204, 429, 429]
    assert other == 204
    assert len([r for r in caplog.records if r.name == "modo.views"]) == 4


@pytest.mark.django_db
def test_reports_need_no_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert _post(strict, json.dumps(REPORT)).status_code == 204


@pytest.mark.django_db
def test_the_500_page_keeps_its_style_under_the_policy(settings):
    from django.test import Client

    settings.ROOT_URLCONF = "modo.tests.error_urls"
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    nonce = re.search(r"'nonce-([^']+)'", _directives(response)["style-src"]).group(1)
    assert f'<style nonce="{nonce}">' in response.content.decode()
