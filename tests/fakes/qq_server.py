"""A local HTTP server on 127.0.0.1 that speaks QQ Connect's OAuth 2.0 protocol.

/oauth2.0/authorize redirects straight back with a code (the shopper "agrees" at once),
/oauth2.0/token trades the code for an access token (urlencoded, as QQ answers),
/oauth2.0/me answers the openid as JSONP. Errors come back in QQ's JSONP error shape.
"""

import json
import secrets
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlparse

from tests.fakes.loopback import LoopbackHTTPServer

CLIENT_ID = "101474184"
CLIENT_SECRET = "local-qq-secret"


class FakeQQ(LoopbackHTTPServer):
    def __init__(self):
        self.openid_for_next_login = "OPENID" + secrets.token_hex(8).upper()
        self.codes = {}  # code -> openid
        self.tokens = {}  # access token -> openid
        self.requests = []
        self.down = False
        super().__init__(self._handler())

    @property
    def base_url(self):
        return self.origin

    def issue_code(self, openid=None):
        code = secrets.token_hex(16)
        self.codes[code] = openid or self.openid_for_next_login
        return code

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, headers=None):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, code, description):
                payload = json.dumps({"error": code, "error_description": description})
                self._send(200, f"callback( {payload} );\n")

            def do_GET(self):
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                fake.requests.append((url.path, query))
                if fake.down:
                    self._send(502, "bad gateway")
                elif url.path == "/oauth2.0/authorize":
                    self.authorize(query)
                elif url.path == "/oauth2.0/token":
                    self.token(query)
                elif url.path == "/oauth2.0/me":
                    self.me(query)
                else:
                    self._send(404, "not found")

            def authorize(self, query):
                if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                    return self._error(100001, "param client_id is wrong or lost")
                back = urlencode({"code": fake.issue_code(), "state": query.get("state", "")})
                self._send(302, "", {"Location": f"{query['redirect_uri']}?{back}"})

            def token(self, query):
                if query.get("client_id") != CLIENT_ID or query.get("client_secret") != CLIENT_SECRET:
                    return self._error(100013, "access token is illegal")
                openid = fake.codes.pop(query.get("code"), None)
                if openid is None or query.get("grant_type") != "authorization_code":
                    return self._error(100019, "code to access token error")
                token = secrets.token_hex(16).upper()
                fake.tokens[token] = openid
                self._send(200, f"access_token={token}&expires_in=7776000&refresh_token={secrets.token_hex(16)}")

            def me(self, query):
                openid = fake.tokens.get(query.get("access_token"))
                if openid is None:
                    return self._error(100016, "access token check failed")
                payload = json.dumps({"client_id": CLIENT_ID, "openid": openid})
                self._send(200, f"callback( {payload} );\n")

        return Handler
