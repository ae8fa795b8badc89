"""Members and their clients: `user`, `other_user`, `auth_client` (JWT of `user`), `address`; back-office
staff: `staff_client` (a superuser), `operator_of(role)` (a member of one of the operator roles)."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
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


def ensure_operator_roles():
    """The groups of users' data migrations. A transactional test empties every table when it ends, data
    migrations' rows included, so a later test in the same run makes them again as the migrations do."""
    roles = import_module("meiduo_mall.apps.users.migrations.0003_operator_roles")
    after_sales = import_module("meiduo_mall.apps.users.migrations.0004_after_sales_roles")
    promotions = import_module("meiduo_mall.apps.users.migrations.0005_promotion_roles")
    if Group.objects.filter(name__in=roles.ROLES).count() < len(roles.ROLES):
        with connection.schema_editor() as schema_editor:
            roles.create_roles(apps, schema_editor)
            after_sales.grant_after_sales(apps, schema_editor)
            promotions.grant_promotions(apps, schema_editor)


def operator_in(role, **fields):
    """A staff member holding the operator role `role` and nothing more, with the factories' password."""
    ensure_operator_roles()
    operator = UserFactory(is_staff=True, **fields)
    operator.groups.add(Group.objects.get(name=role))
    return operator


def client_of(user):
    """A test client logged in to the back office as `user`."""
    client = Client()
    client.force_login(user)
    return client


def shown_messages(response):
    """The messages the back office shows after `response` (a success, a refusal)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def operator_of(db):
    """operator_of(role) → operator_in(role), for tests that take it as a fixture."""
    return operator_in
