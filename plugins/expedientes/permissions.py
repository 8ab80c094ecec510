"""Permissions of expedientes."""

from core.kernel import Permission

VIEW = Permission("expedientes.view", "Ver expedientes, procedimientos y el libro de resoluciones")
TRAMITAR = Permission("expedientes.tramitar",
                      "Abrir y tramitar expedientes: interesados, tareas y documentos")
PROCEDIMIENTOS = Permission("expedientes.procedimientos",
                            "Gestionar el catálogo de procedimientos y sus plantillas")
RESOLVER = Permission("expedientes.resolver",
                      "Redactar resoluciones y enviarlas al circuito de firma")
CERRAR = Permission("expedientes.cerrar",
                    "Cerrar expedientes, generar el índice y remitirlos (ENI)")
IMPORTAR = Permission("expedientes.importar", "Importar expedientes ENI de otras administraciones")

ALL = (VIEW, TRAMITAR, PROCEDIMIENTOS, RESOLVER, CERRAR, IMPORTAR)
