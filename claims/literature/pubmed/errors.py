"""What can go wrong talking to NCBI, split by whether a retry can help."""


class NcbiError(Exception):
    """Talking to NCBI failed."""


class TransientNcbiError(NcbiError):
    """A failure worth retrying: a timeout, a lost connection, HTTP 429 or 5xx."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentNcbiError(NcbiError):
    """A failure a retry will not fix: another 4xx, or a body that is not PubMed XML."""
