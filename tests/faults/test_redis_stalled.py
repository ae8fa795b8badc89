"""Redis stalled (SIGSTOP: the kernel still accepts connections, no command is ever answered): the first requests
wait out one socket timeout, the breaker then opens and the rest lose no time on Redis; what needs Redis answers
503 within the issue's half second; SIGCONT brings everything back without restarting Django."""

import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from threading import Thread
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from redis.exceptions import RedisError

from meiduo_mall.apps.users.tests.fixtures import jwt_client
from meiduo_mall.utils.redis_breaker import breaker_for
from tests.factories import SKUFactory
from tests.faults.redis_server import REFUSAL_BOUND, assert_unavailable, timed, wait_until_redis_answers

# uwsgi.ini's default: 4 processes of 2 threads, so 8 requests in progress at once and the others queued.
SLOTS = 8
# /health/ queued behind 16 catalog requests on a stalled Redis: the issue measured 3.7 s with 2 s timeouts and no
# breaker. With the breaker only the first wave of SLOTS requests waits one socket timeout (0.25 s) and the rest
# answer from the database, so /health/ comes within about that; the bound is a generous behaviour bound for a
# loaded test machine, not a speed target.
HEALTH_BOUND = 1.5


def test_what_lives_in_redis_answers_503_within_one_socket_timeout(shop_redis, db, user):
    sku = SKUFactory()
    member = jwt_client(user)
    assert member.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json").status_code == 201
    shop_redis.stall()

    # The first waits one socket timeout on the fingerprint, then the open breaker refuses the cart at once.
    for call in (
        lambda: member.get("/cart/"),
        lambda: member.get(f"/image_codes/{uuid.uuid4()}/"),
        lambda: member.get("/browse_histories/"),
    ):
        assert_unavailable(*timed(call))


def test_the_catalog_and_members_go_on_from_the_database(shop_redis, db, user, api_client):
    sku = SKUFactory()
    member = jwt_client(user)
    list_path = f"/categories/{sku.category_id}/skus/?page=1&page_size=5&ordering=-create_time"
    cached = api_client.get(list_path).content
    shop_redis.stall()

    response, elapsed = timed(lambda: api_client.get(list_path))
    assert response.status_code == 200
    assert response.content == cached
    # One socket timeout at most: the list's second read (the page after the count) meets the open breaker.
    assert elapsed < REFUSAL_BOUND
    assert member.get("/user/").status_code == 200
    assert member.get("/orders_list/").status_code == 200


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class SlottedWSGIServer(WSGIServer):
    """A WSGI server working on SLOTS requests at a time, as uwsgi's workers do; the others wait their turn."""

    # uwsgi's listen queue (100); socketserver's 5 drops the SYNs of a burst, which clients resend after 1 s.
    request_queue_size = 100

    def __init__(self, slots):
        super().__init__(("127.0.0.1", 0), QuietHandler)
        self.workers = ThreadPoolExecutor(slots)

    def process_request(self, request, client_address):
        self.workers.submit(self.process_in_worker, request, client_address)

    def process_in_worker(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def shop_application():
    django = WSGIHandler()

    def application(environ, start_response):
        try:
            return list(django(environ, start_response))
        finally:
            # Worker threads outlive the test; their connections must not outlive its database.
            connections.close_all()

    return application


@contextmanager
def serving(slots):
    server = SlottedWSGIServer(slots)
    server.set_app(shop_application())
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.workers.shutdown(wait=True)
        server.server_close()


def fetch(url):
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, time.monotonic() - start


def test_sixteen_catalog_requests_on_a_stalled_redis_do_not_hold_up_health(shop_redis, transactional_db):
    skus = [SKUFactory() for _ in range(4)]
    paths = [
        path
        for sku in skus
        for path in (
            f"/categories/{sku.category_id}/skus/?page=1&page_size=5&ordering=-create_time",
            f"/categories/{sku.category_id}/skus/?page=1&page_size=5&ordering=price",
            f"/categories/{sku.category_id}/hotskus/",
            f"/categories/{sku.category_id}/",
        )
    ]
    with serving(SLOTS) as site:
        cached = {path: fetch(site + path)[1] for path in paths}
        shop_redis.stall()
        with ThreadPoolExecutor(len(paths) + 1) as clients:
            catalog = [clients.submit(fetch, site + path) for path in paths]
            # Sent once the catalog requests hold every slot, so it queues behind them.
            time.sleep(0.05)
            health = clients.submit(fetch, site + "/health/").result()
            answers = [future.result() for future in catalog]

    for path, (status, body, _) in zip(paths, answers, strict=True):
        assert status == 200, path
        assert body == cached[path], path
    assert health[0] == 200
    assert health[2] < HEALTH_BOUND
    # No timing needed for the breaker's share: only requests already waiting on Redis when the first timeout
    # opened it can have failed; every later one was refused without a round trip.
    assert breaker_for(f"127.0.0.1:{shop_redis.port}").failures <= SLOTS


def test_everything_comes_back_after_sigcont(shop_redis, db, settings, user, api_client):
    settings.REDIS_BREAKER_SECONDS = 0.2
    sku = SKUFactory()
    member = jwt_client(user)
    assert member.post("/cart/", {"sku_id": sku.id, "count": 1}, format="json").status_code == 201
    shop_redis.stall()
    assert member.get("/cart/").status_code == 503

    shop_redis.resume()
    wait_until_redis_answers(api_client)

    assert [line["id"] for line in member.get("/cart/").json()] == [sku.id]
    assert member.post("/browse_histories/", {"sku_id": sku.id}, format="json").status_code == 201
    assert api_client.get("/health/ready/").json()["redis"] == "ok"


def test_a_catalog_change_is_refused_while_redis_cannot_drop_the_cached_answers(shop_redis, db, settings, api_client):
    """Written without a version bump, the change would hide behind answers that a stalled Redis keeps for an hour."""
    settings.REDIS_BREAKER_SECONDS = 0.2
    sku = SKUFactory(price=100)
    hot = f"/categories/{sku.category_id}/hotskus/"
    assert api_client.get(hot).json()[0]["price"] == "100.00"
    shop_redis.stall()

    sku.price = 80
    with pytest.raises(RedisError):
        sku.save()
    shop_redis.resume()
    wait_until_redis_answers(api_client)

    sku.refresh_from_db()
    assert sku.price == 100
    sku.price = 80
    sku.save()
    assert api_client.get(hot).json()[0]["price"] == "80.00"
