from abc import ABC, abstractmethod


class SMSSendError(Exception):
    """The provider refused the message or could not be reached. The text never contains the code."""


class BaseSMSBackend(ABC):
    """What every SMS backend offers: send one verification code to one mobile number."""

    def __init__(self, **kwargs):  # noqa: B027 - options every backend accepts: none yet
        pass

    @abstractmethod
    def send_verification_code(self, mobile, code, expires_minutes):
        """Send `code` to `mobile`; raise SMSSendError when the provider refuses or is unreachable."""
