"""Permissions of notificaciones."""

from core.kernel import Permission

VIEW = Permission("notificaciones.view", "Ver las notificaciones y su evidencia")
NOTIFY = Permission("notificaciones.notify",
                    "Notificar actos a los interesados, también en remesas")
DELIVER = Permission("notificaciones.deliver",
                     "Imprimir lotes en papel, anotar intentos de entrega y acuses")

ALL = (VIEW, NOTIFY, DELIVER)

#: route options (``opt=``) that ask for each permission, on the staff pages and the API
VIEW_OPT = {"permission": VIEW.name}
NOTIFY_OPT = {"permission": NOTIFY.name}
DELIVER_OPT = {"permission": DELIVER.name}
