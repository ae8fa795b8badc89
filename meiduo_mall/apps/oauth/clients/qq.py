"""QQ Connect (OAuth 2.0) over HTTP: the authorize URL, code → access token, access token → openid.

The base URL comes from settings (graph.qq.com in production; tests point it at a local server
that speaks the same protocol).
"""

import json
import re
from urllib.parse import parse_qs, urlencode

import requests
from django.conf import settings

from meiduo_mall.apps.oauth.exceptions import QQLoginUnavailable, QQServiceError

from .base import QQLoginClient

TIMEOUT_SECONDS = 5
JSONP_RE = re.compile(r"callback\(\s*(\{.*\})\s*\);?", re.S)


class QQConnectClient(QQLoginClient):
    def __init__(self):
        self.base_url = settings.QQ_BASE_URL.rstrip("/")
        self.client_id = settings.QQ_CLIENT_ID
        self.client_secret = settings.QQ_CLIENT_SECRET
        self.redirect_uri = settings.QQ_REDIRECT_URI

    def _require_configuration(self):
        if not (self.client_id and self.client_secret):
            raise QQLoginUnavailable("QQ_CLIENT_ID and QQ_CLIENT_SECRET are not both set")

    def login_url(self, state):
        self._require_configuration()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "state": state,
                "scope": "get_user_info",
            }
        )
        return f"{self.base_url}/oauth2.0/authorize?{query}"

    def openid(self, code):
        self._require_configuration()
        return self._openid(self._access_token(code))

    def _get(self, path, params):
        try:
            response = requests.get(f"{self.base_url}{path}", params=params, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise QQServiceError(f"QQ unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise QQServiceError(f"QQ answered HTTP {response.status_code}")
        return response.text

    @staticmethod
    def _error_in(text):
        match = JSONP_RE.search(text)
        if match:
            data = json.loads(match.group(1))
            if "error" in data:
                return f"QQ error {data.get('error')}"
        return None

    def _access_token(self, code):
        text = self._get(
            "/oauth2.0/token",
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code": code,
                "redirect_uri": self.redirect_uri,
            },
        )
        error = self._error_in(text)
        if error:
            raise QQServiceError(error)
        token = parse_qs(text).get("access_token")
        if not token:
            raise QQServiceError("QQ gave no access token")
        return token[0]

    def _openid(self, access_token):
        text = self._get("/oauth2.0/me", {"access_token": access_token})
        match = JSONP_RE.search(text)
        if not match:
            raise QQServiceError("QQ answered /me in an unknown format")
        data = json.loads(match.group(1))
        if "openid" not in data:
            raise QQServiceError(f"QQ error {data.get('error')}")
        return data["openid"]
