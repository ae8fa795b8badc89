"""Bad input on every write endpoint: missing fields, wrong types, huge values, another member's ids, bad JWTs.

Each bad request is one good request (endpoints.ENDPOINTS) with one thing wrong, so nothing else can be what
refuses it. Each must be answered 4xx in JSON with a message (docs/api.md "Responses and errors": a
`message`, field errors, or the bare list of P2) and change nothing: no table's content, no Redis key.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import get_resolver
from django.urls.resolvers import URLResolver
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient

from meiduo_mall.apps.payment.gateways.tests.alipay_messages import signed_notice, signed_return
from meiduo_mall.apps.users.tokens import issue_jwt
from tests.bad_input.endpoints import ANYONE, ENDPOINTS, MEMBER, OPTIONAL, PLAIN_VIEWS, Ref
from tests.bad_input.world import bad_jwts, changes, make_world, state

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
HUGE_STRING = "x" * 2**20
HUGE_NUMBER = 10**30
BAD_JWTS = (
    "expired JWT",
    "JWT signed with another key",
    "JWT with alg none",
    "JWT claiming another member",
    "not a JWT",
)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    name: str
    body: object
    # "member" (the world's member's good JWT), "none", or one of BAD_JWTS.
    token: str
    # Whose objects the path names.
    ids: str = "own"

    def __str__(self):
        return f"{self.method} {self.path} {self.name}"


def variants(body):
    """(name, body) with one thing wrong each."""
    yield "missing fields", {}
    yield "an array for the object", [body]
    for name, value in body.items():
        kind = value.type if isinstance(value, Ref) else type(value)
        yield f"{name}: an object", {**body, name: {"value": 1}}
        yield f"{name}: an array", {**body, name: [1, 2]}
        if kind is str:
            yield f"{name}: 1 MB", {**body, name: HUGE_STRING}
        if kind is int:
            yield f"{name}: 10^30", {**body, name: HUGE_NUMBER}
            yield f"{name}: -10^30", {**body, name: -HUGE_NUMBER}


def cases():
    for (method, path), endpoint in ENDPOINTS.items():
        if path == "/payment/status/":
            continue  # its input is a signed query string: test_payment_return_with_bad_parameters
        token = "none" if endpoint.auth == ANYONE else "member"
        if endpoint.body is not None:
            for name, body in variants(endpoint.body):
                yield Case(method, path, name, body, token)
        if endpoint.auth == MEMBER:
            yield Case(method, path, "no token", endpoint.body, "none")
        if endpoint.auth in (MEMBER, OPTIONAL):
            for bad in BAD_JWTS:
                yield Case(method, path, bad, endpoint.body, bad)
        if "{" in path:
            yield Case(method, path, "another member's id in the path", endpoint.body, token, ids="others")
        for name, ref in endpoint.others.items():
            yield Case(method, path, f"another member's {name}", {**endpoint.body, name: ref}, token)


CASES = list(cases())


def resolve(value, world):
    if isinstance(value, Ref):
        return value.resolve(world)
    if isinstance(value, dict):
        return {k: resolve(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    return value


def client_for(case, world):
    client = APIClient()
    if case.token == "member":
        client.credentials(HTTP_AUTHORIZATION=f"JWT {issue_jwt(world.user)}")
    elif case.token != "none":
        client.credentials(HTTP_AUTHORIZATION=f"JWT {bad_jwts(world)[case.token]}")
    return client


def assert_refused_in_json(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    if isinstance(body, list):
        messages = body
    else:
        messages = [body[key] for key in ("message", "detail") if key in body] or [
            text for texts in body.values() if isinstance(texts, list) for text in texts
        ]
    assert messages and all(isinstance(m, str) and m for m in messages), body


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bad_request_is_refused_in_json_and_changes_nothing(case):
    world = make_world()
    client = client_for(case, world)
    url = case.path.format(**(world.own_ids() if case.ids == "own" else world.others_ids()))
    body = resolve(case.body, world)
    before = state()

    response = client.generic(case.method, url, "" if body is None else json.dumps(body), "application/json")

    after = state()
    if ENDPOINTS[case.method, case.path].auth == OPTIONAL and case.token in BAD_JWTS:
        # The cart takes guests: a token that proves nobody makes a guest (docs/api.md "JWT?"), whose cart
        # lives in the cookie; the member's own cart must stay as it was.
        assert response.status_code < 500
        assert response.status_code == 204 or response["Content-Type"].startswith("application/json")
    else:
        assert_refused_in_json(response)
        assert "cart" not in response.cookies
    if case.ids == "others" and "{user_id}" not in case.path:
        # Another member's address or order does not exist for this member: never a 403 that confirms it does.
        assert response.status_code == 404, response.status_code
    assert changes(before, after) == []


def test_payment_return_with_bad_parameters_is_refused_and_changes_nothing():
    world = make_world()
    good = signed_return(world.order)
    bad = [{}, {k: v for k, v in good.items() if k != "sign"}]
    bad += [{**good, name: HUGE_STRING} for name in good]
    bad += [{**good, "total_amount": str(HUGE_NUMBER)}, {**good, "out_trade_no": world.others_order.order_id}]
    for params in bad:
        before = state()
        response = APIClient().put(f"/payment/status/?{urlencode(params)}", {}, format="json")
        assert_refused_in_json(response)
        assert changes(before, state()) == []


def test_alipay_notice_with_bad_parameters_fails_and_changes_nothing():
    """Alipay's protocol, not the API's: the reply is plain `fail`, which makes Alipay send the notice again."""
    world = make_world()
    good = signed_notice(world.order)
    bad = [{}, {k: v for k, v in good.items() if k != "sign"}]
    bad += [{**good, name: HUGE_STRING} for name in good]
    bad += [{**good, "total_amount": str(HUGE_NUMBER)}, {**good, "out_trade_no": world.others_order.order_id}]
    for params in bad:
        before = state()
        response = APIClient().post(
            "/payment/notify/", urlencode(params), content_type="application/x-www-form-urlencoded"
        )
        assert (response.status_code, response.content) == (200, b"fail")
        assert changes(before, state()) == []


def test_sandbox_cashier_post_without_its_csrf_token_changes_nothing():
    world = make_world()
    before = state()

    response = APIClient(enforce_csrf_checks=True).post(
        f"/payment/sandbox/gateway/?{urlencode(signed_return(world.order))}", {"pay": "1"}
    )

    assert response.status_code == 403
    assert changes(before, state()) == []


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_write_endpoint_is_covered():
    """A new route fails here until endpoints.py describes it (and so the cases above send it bad input)."""
    drf_writes = {
        (method, path) for path, _, method, _ in EndpointEnumerator().get_api_endpoints() if method in WRITE_METHODS
    }
    assert drf_writes == set(ENDPOINTS)
    plain = {
        route
        for route, callback in _routes(get_resolver().url_patterns)
        if not hasattr(callback, "cls") and not route.startswith(("admin/", "api/"))
    }
    assert plain == set(PLAIN_VIEWS)


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/addresses/"),
        ("PUT", "/addresses/{address_id}/title/"),
        ("DELETE", "/addresses/{address_id}/"),
        ("POST", "/browse_histories/"),
        ("POST", "/cart/"),
        ("POST", "/coupons/{coupon_id}/claim/"),
        ("PUT", "/email/"),
        ("POST", "/orders/"),
        ("POST", "/orders/{order_id}/comments/"),
        ("POST", "/orders/{order_id}/returns/"),
        ("PUT", "/returns/{return_id}/shipment/"),
        ("PUT", "/users/{user_id}/password/"),
        ("POST", "/users/{user_id}/password/"),
    ],
)
def test_the_good_request_changes_the_state(method, path):
    """The check above sees a change: the good request each bad one was made from makes one."""
    world = make_world()
    body = resolve(ENDPOINTS[method, path].body, world)
    client = client_for(Case(method, path, "good", body, "member"), world)
    before = state()

    response = client.generic(
        method, path.format(**world.own_ids()), "" if body is None else json.dumps(body), "application/json"
    )

    assert response.status_code < 300, response.content
    assert changes(before, state()) != []
