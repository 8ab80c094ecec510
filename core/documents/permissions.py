"""Permissions over document records (``*.view`` roles read; tramitación uploads)."""

from core.kernel import Permission

VIEW = Permission("documents.view", "Consultar los documentos de la entidad")
UPLOAD = Permission("documents.upload", "Subir documentos y publicar copias sin metadatos")
