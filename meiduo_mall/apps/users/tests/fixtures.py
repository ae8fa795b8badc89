"""Members and their clients: `user`, `other_user`, `auth_client` (JWT of `user`), `address`."""

import pytest
from rest_framework.test import APIClient

from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import AddressFactory, UserFactory


def jwt_client(user):
    """An API client that sends the member's JWT, as the pages do after login."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {issue_jwt(user)}")
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user):
    """An API client logged in as `user`."""
    return jwt_client(user)


@pytest.fixture
def address(user):
    return AddressFactory(user=user)


@pytest.fixture
def staff_client(client, db):
    """Django's test client logged in to the back office as a superuser."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
