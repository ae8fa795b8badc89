"""What the stand-in HTTP servers share: a server on 127.0.0.1 and a free port, served from a daemon thread."""

import threading
from http.server import ThreadingHTTPServer


class LoopbackHTTPServer:
    def __init__(self, handler_class):
        self.serve(ThreadingHTTPServer(("127.0.0.1", 0), handler_class))

    def serve(self, server):
        """Serve `server`, already bound to 127.0.0.1, from a daemon thread once started."""
        self.server = server
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
