import pytest
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/me" in spec["paths"]


@pytest.mark.django_db
def test_unauthenticated_me_is_a_401_envelope_not_a_redirect(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "UNAUTHENTICATED"
    assert body["message"]


@pytest.mark.django_db
def test_unauthenticated_api_answers_in_the_request_language(client):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="id")

    assert response.status_code == 401
    assert response.json()["message"] != "Sign in, or send a valid API token as “Authorization: Bearer …”."


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"



@pytest.mark.django_db
def test_api_docs_are_served_from_our_own_static_files(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr.net" not in html
