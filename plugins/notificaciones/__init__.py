"""Notificaciones electrónicas y en papel (Ley 39/2015 arts. 40–46)."""
