"""Permissions of cita previa."""

from core.kernel import Permission

VIEW = Permission("cita_previa.view", "Ver las agendas, las citas del día y las estadísticas")
ATTEND = Permission("cita_previa.attend",
                    "Atender citas: llegada, no presentado y videollamadas como moderador")
MANAGE = Permission("cita_previa.manage", "Configurar oficinas, servicios y agendas de cita previa")
