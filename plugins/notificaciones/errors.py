"""Errors of notificaciones: 404 for another tenant's (or another person's) ids, 422 with
the broken rule."""

from core.errors import DomainError, NotFoundError


class NotificacionNotFound(NotFoundError):
    """No such notification in this tenant (404, also for other tenants' ids)."""


class InvalidNotificacion(DomainError):
    """A notification that breaks a rule; the message says which."""
