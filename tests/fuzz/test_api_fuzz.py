"""Schemathesis over the shop's own OpenAPI schema, in process: every operation, as a guest and as a member.

Each generated request goes through Django's WSGI handler (the whole middleware stack, the real MariaDB test
database and Redis), and each answer must be no 5xx, a status the operation documents, in the content type
and with the body its schema describes. `FUZZ_EXAMPLES` sets the examples per operation (`make fuzz`).
"""

import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django_redis import get_redis_connection
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from meiduo_mall.apps.carts.tests.fixtures import fill_cart
from meiduo_mall.apps.orders.models import OrderGoods, OrderInfo
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.factories import AddressFactory, OrderFactory, SKUFactory, UserFactory
from tests.fuzz.document import project_schema

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# Stateful runs: scenarios of up to STEPS calls, each following the links schemathesis infers from the schema
# (an address listed or created → edited, its title, made the default, deleted; an order listed → its detail,
# payment, cancel, receipt, comments).
# Answers by status code over the session, for the summary conftest.py prints.
ANSWERS = Counter()
SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", str(max(EXAMPLES, 10))))
STEPS = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


schema = schemathesis.openapi.from_dict(project_schema())
schema.app = get_wsgi_application()

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def connection_kept():
    """Requests reach Django's WSGI handler, which closes the database connection at their end and with it
    the test's transaction; Django's own test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def checks_for(case):
    """The four checks everywhere; for a JSON body also that data the schema forbids is refused (a 0 for a
    boolean, a string for a number). Query strings are text, and the paged lists read an unreadable
    `page_size` as the default, as docs/api.md says."""
    if "requestBody" in case.operation.definition.raw:
        return [*CHECKS, negative_data_rejection]
    return CHECKS


def with_real_qq_code(case, fake_qq):
    """QQ login's code comes from QQ, which refuses any other (a 503 by the contract, O2): the callback gets
    one QQ issued, and the rest of the request as generated."""
    if case.method == "GET" and case.path == "/oauth/qq/user/" and isinstance(case.query, dict):
        case.query["code"] = fake_qq.issue_code()


@pytest.fixture
def member_token(db):
    return issue_jwt(UserFactory())


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_as_guest(case, mailbox, fake_qq):
    with_real_qq_code(case, fake_qq)
    # Every other request as a logged-out page sends it, `JWT undefined` (docs/api.md): ignored where the
    # endpoint serves guests, a 401 where a token is checked.
    headers = {"Authorization": "JWT undefined"} if sum(ANSWERS.values()) % 2 else {}
    ANSWERS[case.call_and_validate(headers=headers, checks=checks_for(case)).status_code] += 1


@schema.parametrize()
@FUZZ_SETTINGS
def test_as_member(case, member_token, mailbox, fake_qq, request):
    with_real_qq_code(case, fake_qq)
    if case.path.startswith("/addresses/"):
        # The address book's example (A4) names real area ids; the national table makes it a 201.
        request.getfixturevalue("areas")
    response = case.call_and_validate(headers={"Authorization": f"JWT {member_token}"}, checks=checks_for(case))
    ANSWERS[response.status_code] += 1


@pytest.fixture
def member_with_history(db, areas):
    """A member with what the links lead to: an address, a cart line and orders waiting for payment, in
    delivery and for comments; the real national area table for the address book."""
    member = UserFactory()
    AddressFactory(user=member)
    sku = SKUFactory()
    fill_cart(member, {sku.id: 1})
    OrderFactory(user=member)
    for status in (OrderInfo.Status.UNRECEIVED, OrderInfo.Status.UNCOMMENT):
        order = OrderFactory(user=member, status=status)
        OrderGoods.objects.create(order=order, sku=sku, count=1, price=sku.price)
    return member, {sku.id: 1}


class MemberWorkflow(schema.as_state_machine()):
    """Each scenario starts from the member's same history: Hypothesis replays a scenario to shrink it, and the
    links' values come from the answers, so what one scenario changes is undone before the next."""

    member = cart = fake_qq = None

    def setup(self):
        self.scenario = transaction.atomic()
        self.scenario.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.scenario.__exit__(None, None, None)
        for alias in settings.CACHES:
            get_redis_connection(alias).flushdb()
        fill_cart(self.member, self.cart)

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"JWT {issue_jwt(self.member)}"}}

    def before_call(self, case):
        with_real_qq_code(case, self.fake_qq)

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        ANSWERS[response.status_code] += 1
        case.validate_response(response, checks=checks_for(case), transport_kwargs=kwargs or None)


def test_member_workflows(member_with_history, mailbox, fake_qq):
    MemberWorkflow.member, MemberWorkflow.cart = member_with_history
    MemberWorkflow.fake_qq = fake_qq
    MemberWorkflow.run(settings=hypothesis.settings(FUZZ_SETTINGS, max_examples=SCENARIOS, stateful_step_count=STEPS))
