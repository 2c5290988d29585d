import pytest
from django.urls import reverse


def test_health_answers_ok(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_checks_the_database(client):
    response = client.get(reverse("ready"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
