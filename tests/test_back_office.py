import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.mark.django_db
def test_back_office_refuses_shoppers(client):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_logging_in_at_the_back_office_door_lands_on_the_dashboard(client):
    UserFactory(username="operator", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "operator", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
