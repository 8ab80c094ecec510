"""Plugin cita_previa: appointments in person, by phone and by video call."""
