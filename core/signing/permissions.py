"""Permissions of signature flows: sign (firmantes) and request signatures (tramitación)."""

from core.kernel import Permission

SIGN = Permission("firma.sign", "Firmar o rechazar los documentos pendientes de su firma")
REQUEST = Permission("firma.request", "Enviar documentos a un circuito de firma")
VIEW = Permission("firma.view", "Validar firmas de PDF y consultar los circuitos de firma")
