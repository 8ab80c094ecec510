"""Permissions of the registro."""

from core.kernel import Permission

VIEW = Permission("registro.view", "Consultar el registro general")
REGISTER = Permission("registro.register", "Anotar asientos de entrada y salida")
CORRECT = Permission("registro.correct", "Anular y rectificar asientos")
DISTRIBUTE = Permission("registro.distribute", "Distribuir asientos a las unidades")
RECEIVE = Permission("registro.receive", "Aceptar o devolver asientos en la bandeja de la unidad")
SIR = Permission("registro.sir", "Enviar y recibir asientos por SIR")
EXPORT = Permission("registro.export", "Exportar el libro de registro")

ALL = (VIEW, REGISTER, CORRECT, DISTRIBUTE, RECEIVE, SIR, EXPORT)
