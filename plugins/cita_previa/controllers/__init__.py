"""HTTP faces of cita previa: ``sede`` (booking), ``staff`` (configuration, day view,
statistics) and ``api`` (the same as JSON); ``forms`` reads HTML forms."""
