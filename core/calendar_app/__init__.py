"""The platform's working-day calendars: per-tenant tables feeding ``core.calendar``.

Plugins use one call, ``await calendar_of(tenant)``, to get the tenant's `WorkingCalendar`.
The diputación loads the national and autonomic days of a year for all its entities at once
(``concejo calendar load``); each entity adds its two fiestas locales and registry closures.
"""

from core.calendar_app.services import calendar_of

__all__ = ["calendar_of"]
