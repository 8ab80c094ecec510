"""Domain logic of cita previa, no HTTP; every query is scoped to one tenant.

``common`` (settings, errors, clock), ``catalog`` (offices, services, agendas), ``slots``
(timetables → free slots), ``abuse`` (rate limits, open-booking cap), ``booking`` (book,
confirm, cancel, change), ``links`` (signed management links), ``ics``, ``notices`` (the emails,
through ``core.mail``), ``video`` (providers, Jitsi JWT), ``attendance`` (day view,
check-in, no-shows, statistics), ``demo`` (example data).
"""
