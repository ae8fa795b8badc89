import pytest

from meiduo_mall.apps.users.models import User
from tests.factories import AddressFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    staff = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_user_list_searches_by_mobile_and_filters(admin_client):
    UserFactory(username="findme_01", mobile="13566667777")
    UserFactory(username="other_002", mobile="13566668888", is_active=False)

    found = admin_client.get("/admin/users/user/", {"q": "13566667777"})
    inactive = admin_client.get("/admin/users/user/", {"is_active__exact": "0"})

    assert found.status_code == 200
    assert "findme_01" in found.content.decode() and "other_002" not in found.content.decode()
    assert "other_002" in inactive.content.decode() and "findme_01" not in inactive.content.decode()


def test_operator_adds_a_user_with_a_mobile(admin_client):
    response = admin_client.post(
        "/admin/users/user/add/",
        {"username": "added_by_op", "mobile": "13699990000", "password1": "Str0ng-pass!", "password2": "Str0ng-pass!"},
    )

    assert response.status_code == 302
    user = User.objects.get(username="added_by_op")
    assert user.mobile == "13699990000" and user.check_password("Str0ng-pass!")


def test_user_change_and_address_pages_open(admin_client):
    address = AddressFactory()

    assert admin_client.get(f"/admin/users/user/{address.user_id}/change/").status_code == 200
    assert admin_client.get("/admin/users/address/", {"q": address.user.username}).status_code == 200
    assert admin_client.get(f"/admin/users/address/{address.id}/change/").status_code == 200
