class VerificationError(Exception):
    """A code check failed or a send was refused; `message` is what the page shows the shopper."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
