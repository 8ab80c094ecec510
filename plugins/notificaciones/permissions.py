"""Permissions of notificaciones."""

from core.kernel import Permission

VIEW = Permission("notificaciones.view", "Ver las notificaciones y su evidencia")
NOTIFY = Permission("notificaciones.notify",
                    "Notificar actos a los interesados, también en remesas")
DELIVER = Permission("notificaciones.deliver",
                     "Imprimir lotes en papel, anotar intentos de entrega y acuses")

ALL = (VIEW, NOTIFY, DELIVER)
