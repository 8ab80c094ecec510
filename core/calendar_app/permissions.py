"""The calendar's permission (granted by the roles that hold every ``core.*`` permission)."""

from core.kernel import Permission

CALENDAR = Permission("core.calendar", "Declarar las fiestas locales y los cierres del registro")
