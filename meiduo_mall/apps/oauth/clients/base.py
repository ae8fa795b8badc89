"""What QQ login needs from QQ: a login URL, and the openid behind the code QQ sends the shopper back with."""

from abc import ABC, abstractmethod


class QQLoginClient(ABC):
    """One way of talking to QQ Connect; settings.QQ_LOGIN_CLIENT names the one in use.

    Both methods raise oauth.exceptions.QQLoginUnavailable while the client is not configured, so callers
    need not ask first.
    """

    @abstractmethod
    def login_url(self, state):
        """QQ's authorize URL; QQ sends the shopper back to the redirect URI with a code and `state`."""

    @abstractmethod
    def openid(self, code):
        """The QQ user's openid for the authorization code; QQServiceError when QQ refuses or fails."""
