"""The shop's own Django application on a loopback port, for code under test that calls the shop over HTTP
from the test process (the SDK calling the sandbox's openapi) without a transactional live_server."""

from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler

from tests.fakes.loopback import LoopbackHTTPServer


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class DjangoLoopbackServer(LoopbackHTTPServer):
    def __init__(self):
        self.serve(
            make_server("127.0.0.1", 0, WSGIHandler(), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        )
