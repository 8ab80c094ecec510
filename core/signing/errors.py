"""Exceptions of the signing engine; the web layer maps ``InvalidPdfError`` to HTTP 422."""


class SigningError(Exception):
    """A signature could not be produced (key, certificate, TSA or document problem)."""


class InvalidPdfError(SigningError, ValueError):
    """The input is not a usable PDF (not a PDF at all, truncated, encrypted, malformed)."""


class SecretError(ValueError):
    """A secret sealed with the master key cannot be opened (wrong key, tampered, bad format)."""
