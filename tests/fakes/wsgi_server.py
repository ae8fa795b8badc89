"""The shop's own Django application on a loopback port, for code under test that calls the shop over HTTP
from the test process (the SDK calling the sandbox's openapi) without a transactional live_server."""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class DjangoLoopbackServer:
    def __init__(self):
        self.server = make_server(
            "127.0.0.1", 0, WSGIHandler(), server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        """Shut down and close the port: from now on the server is unreachable."""
        self.server.shutdown()
        self.server.server_close()
