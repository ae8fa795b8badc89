"""meiduo_mall.utils.origins.client_ip: X-Forwarded-For is believed only as far as trusted proxies wrote it."""

import pytest
from django.test import RequestFactory

from meiduo_mall.utils.origins import client_ip


def ip_of(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_ip(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_IPS = []
    assert ip_of("203.0.113.9", "192.0.2.1") == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "client"),
    [
        # The peer is no proxy of ours: its header is the client's own words.
        ("203.0.113.9", "192.0.2.1", "203.0.113.9"),
        # One trusted proxy: the entry it appended; what the client wrote left of it is ignored.
        ("127.0.0.1", "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        # Two trusted hops (a network of them): the first address right to left that is not one.
        ("127.0.0.1", "192.0.2.1, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        # A proxy that passed no header, or only proxies: the nearest address known.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "10.1.2.3", "10.1.2.3"),
        # Garbage is nobody's address: the last proxy's stands.
        ("127.0.0.1", "203.0.113.9, not-an-address, 10.1.2.3", "10.1.2.3"),
    ],
)
def test_behind_trusted_proxies_the_client_is_the_first_untrusted_hop(settings, remote_addr, forwarded_for, client):
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1", "10.0.0.0/8"]
    assert ip_of(remote_addr, forwarded_for) == client
