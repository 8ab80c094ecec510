"""Spanish names of the registro's codes (msgids for ``_()`` on pages, plain in PDFs)."""

from core.web.i18n import N_

CHANNEL = {"presencial": "Presencial", "sede": "Sede electrónica", "sir": "SIR"}
DIRECTION = {"entrada": "Entrada", "salida": "Salida"}
DOCUMENTACION_FISICA = {
    "1": "Acompaña documentación física requerida",
    "2": "Acompaña documentación física complementaria",
    "3": "No acompaña documentación física",
}
VALIDEZ = {"": "", "01": "Copia", "02": "Copia compulsada", "03": "Copia original",
           "04": "Original"}
TIPO_DOCUMENTO = {"01": "Formulario", "02": "Documento adjunto", "03": "Fichero técnico"}
DISTRIBUTION = {"": "", "pendiente": "Pendiente de distribuir", "distribuido": "Distribuido",
                "aceptado": "Aceptado por la unidad", "devuelto": "Devuelto por la unidad"}
#: an exchange's state (``sicres.SirState``), shown with ``| label(labels.SIR_STATE)``
SIR_STATE = {"pendiente_envio": N_("Pendiente de envío"), "enviado": N_("Enviado"),
             "enviado_ack": N_("Enviado, con acuse de recibo"),
             "enviado_error": N_("Enviado con error"), "devuelto": N_("Devuelto"),
             "aceptado": N_("Aceptado"), "reenviado": N_("Reenviado"),
             "rechazado": N_("Rechazado"), "recibido": N_("Recibido"), "anulado": N_("Anulado")}
