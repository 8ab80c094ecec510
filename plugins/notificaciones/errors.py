"""Errors of notificaciones: 404 for another tenant's (or another person's) ids, 422 with
the broken rule."""

from core.errors import DomainError


class InvalidNotificacion(DomainError):
    """A notification that breaks a rule; the message says which."""
