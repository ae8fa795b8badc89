class SMSSendError(Exception):
    """The provider refused the message or could not be reached. The text never contains the code."""


class BaseSMSBackend:
    """What every SMS backend offers: send one verification code to one mobile number."""

    def __init__(self, **kwargs):
        pass

    def send_verification_code(self, mobile, code, expires_minutes):
        raise NotImplementedError("subclasses of BaseSMSBackend must override send_verification_code()")
