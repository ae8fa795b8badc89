import sys
import threading

from .base import BaseSMSBackend, notice_text


class ConsoleSMSBackend(BaseSMSBackend):
    """Development: one line per message on stdout, so a developer can read the code and register."""

    def __init__(self, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_verification_code(self, mobile, code, expires_minutes):
        with self._lock:
            self.stream.write(f"[短信] {mobile} 验证码 {code}，{expires_minutes}分钟内有效\n")
            self.stream.flush()

    def send_notice(self, mobile, kind, params):
        with self._lock:
            self.stream.write(f"[短信] {mobile} {notice_text(kind, params)}\n")
            self.stream.flush()
