import base64
import hashlib
import logging
from datetime import datetime

import requests
from django.conf import settings

from .base import NOTICE_VALUES, BaseSMSBackend, SMSSendError

logger = logging.getLogger("meiduo")

API_VERSION = "2013-12-26"
SUCCESS = "000000"


class RonglianSMSBackend(BaseSMSBackend):
    """Production: Ronglian Cloud (容联云通讯) template SMS over its REST API.

    The code's template takes two values: the code and its validity in minutes. Each after-sales notice has a
    template of its own (RONGLIAN["TEMPLATES"][kind]) taking the values NOTICE_VALUES names.
    """

    def __init__(self, config=None, timeout=5, **kwargs):
        super().__init__(**kwargs)
        config = config or settings.RONGLIAN
        self.account_sid = config["ACCOUNT_SID"]
        self.auth_token = config["AUTH_TOKEN"]
        self.app_id = config["APP_ID"]
        self.template_id = config["TEMPLATE_ID"]
        self.notice_templates = config.get("TEMPLATES", {})
        self.base_url = config["BASE_URL"].rstrip("/")
        self.timeout = timeout

    def send_verification_code(self, mobile, code, expires_minutes):
        self._send_template(mobile, self.template_id, [code, str(expires_minutes)])

    def send_notice(self, mobile, kind, params):
        template_id = self.notice_templates.get(kind)
        if not template_id:
            raise SMSSendError(f"容联云未配置短信模板: {kind}")
        self._send_template(mobile, template_id, [str(params[name]) for name in NOTICE_VALUES[kind]])

    def _send_template(self, mobile, template_id, values):
        timestamp = datetime.now().strftime("%Y%m%d%H%M%S")
        sig = hashlib.md5(f"{self.account_sid}{self.auth_token}{timestamp}".encode()).hexdigest().upper()
        url = f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/SMS/TemplateSMS"
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json;charset=utf-8",
            "Authorization": base64.b64encode(f"{self.account_sid}:{timestamp}".encode()).decode(),
        }
        body = {"to": mobile, "appId": self.app_id, "templateId": template_id, "datas": values}
        try:
            response = requests.post(url, params={"sig": sig}, json=body, headers=headers, timeout=self.timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise SMSSendError(f"容联云不可用: {type(exc).__name__}") from None
        status_code = answer.get("statusCode") if isinstance(answer, dict) else None
        if status_code != SUCCESS:
            logger.warning("Ronglian refused an SMS to %s: statusCode=%s", mobile, status_code)
            raise SMSSendError(f"容联云拒绝发送: statusCode={status_code}")
