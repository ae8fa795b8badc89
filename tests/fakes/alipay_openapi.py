"""A local HTTP server on 127.0.0.1 that answers Alipay openapi calls (gateway.do) with scripted answers.

Each call gets the next answer of the script, in Alipay's JSON shape and signed over its exact text with the
key given (Alipay's own, or another one to forge it); `calls` keeps what each request carried: its parameters as
sent (`params`) and its biz_content decoded (`biz`). Tests of
AlipayGateway point ALIPAY_URL at it to see how the shop reads every kind of answer Alipay gives.
"""

import json
import time
from base64 import b64encode
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from Cryptodome.Hash import SHA256
from Cryptodome.Signature import pkcs1_15

from tests.fakes.loopback import LoopbackHTTPServer


class ScriptedAlipayOpenapi(LoopbackHTTPServer):
    def __init__(self, signing_key):
        self.signing_key = signing_key
        self.script = []
        self.calls = []
        super().__init__(self._handler())

    @property
    def url(self):
        return f"{self.origin}/gateway.do"

    def answer(self, fields, *, key=None, signed=True, status=200, raw=None, delay=0):
        """Queue the answer to the next call: `fields` under `<method>_response`, signed with `key` (Alipay's
        by default) unless `signed` is False; or the `raw` body as it is; after `delay` seconds."""
        self.script.append(
            {"fields": fields, "key": key, "signed": signed, "status": status, "raw": raw, "delay": delay}
        )

    def _body(self, method, step):
        if step["raw"] is not None:
            return step["raw"]
        body = json.dumps(step["fields"], ensure_ascii=False, separators=(",", ":"))
        text = f'{{"{method.replace(".", "_")}_response":{body}'
        if step["signed"]:
            digest = SHA256.new(body.encode())
            signature = pkcs1_15.new(step["key"] or self.signing_key).sign(digest)
            text += f',"sign":"{b64encode(signature).decode()}"'
        return text + "}"

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                params = dict(parse_qsl(urlsplit(self.path).query))
                fake.calls.append({"params": params, "biz": json.loads(params.get("biz_content", "{}"))})
                step = fake.script.pop(0)
                if step["delay"]:
                    time.sleep(step["delay"])
                data = fake._body(params.get("method", ""), step).encode()
                try:
                    self.send_response(step["status"])
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    # The caller gave up waiting (a timeout test): nobody reads this answer.
                    pass

        return Handler
