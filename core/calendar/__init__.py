"""Working-day calendars and legal deadline arithmetic (plazos, Ley 39/2015 art. 30)."""
