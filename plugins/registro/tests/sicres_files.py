# ruff: noqa: E501  (the files are written as registries write them: long lines)
"""SICRES 3 files in the shapes real registries send (written for the tests, not copied).

- `regional_file`: a regional administration's registry (fields as its exports carry them):
  empty elements the XSD allows (`<X/>`), an interesado that is an administration given
  only as Tipo O + DIR3 code, an anexo whose Hash is base64 of the hex SHA-1 of its content,
  Tipo_Registro 1 (a salida there), every decodificación and the Descripcion_Tipo_Anotacion.
- `vendor_file`: another vendor's style: base64 wrapped at 76 columns, an anexo sent
  without its content (Hash only, base64 of the hex SHA-256), the other anexo's Hash the
  raw SHA-256 digest.
"""

from __future__ import annotations

import base64
import hashlib

from core.signing.samples import sample_pdf

PDF = sample_pdf("Solicitud", xref_stream=False)  # real: received PDFs pass the structure check
ID_REGIONAL = "A08000001_26_00004711"
ID_VENDOR = "L01010101_26_00000042"


def _wrapped(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def regional_file(destino: str, unidad: str) -> bytes:
    hex_sha1 = hashlib.sha1(PDF).hexdigest().encode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Fichero_Intercambio_SICRES_3>
  <De_Origen_o_Remitente>
    <Codigo_Entidad_Registral_Origen>A08000001</Codigo_Entidad_Registral_Origen>
    <Decodificacion_Entidad_Registral_Origen>Registro General de la Consejería de Fomento</Decodificacion_Entidad_Registral_Origen>
    <Numero_Registro_Entrada>202699900004711</Numero_Registro_Entrada>
    <Fecha_Hora_Entrada>20260311101500</Fecha_Hora_Entrada>
    <Timestamp_Entrada/>
    <Codigo_Unidad_Tramitacion_Origen>A08002222</Codigo_Unidad_Tramitacion_Origen>
    <Decodificacion_Unidad_Tramitacion_Origen>Servicio Territorial de Carreteras</Decodificacion_Unidad_Tramitacion_Origen>
  </De_Origen_o_Remitente>
  <De_Destino>
    <Codigo_Entidad_Registral_Destino>{destino}</Codigo_Entidad_Registral_Destino>
    <Decodificacion_Entidad_Registral_Destino>Registro del Ayuntamiento</Decodificacion_Entidad_Registral_Destino>
    <Codigo_Unidad_Tramitacion_Destino>{unidad}</Codigo_Unidad_Tramitacion_Destino>
    <Decodificacion_Unidad_Tramitacion_Destino>Urbanismo</Decodificacion_Unidad_Tramitacion_Destino>
  </De_Destino>
  <De_Interesado>
    <Tipo_Documento_Identificacion_Interesado>O</Tipo_Documento_Identificacion_Interesado>
    <Documento_Identificacion_Interesado>A08002222</Documento_Identificacion_Interesado>
    <Razon_Social_Interesado/>
    <Nombre_Interesado/>
    <Primer_Apellido_Interesado/>
    <Segundo_Apellido_Interesado/>
    <Tipo_Documento_Identificacion_Representante/>
    <Documento_Identificacion_Representante/>
    <Pais_Interesado/>
    <Canal_Preferente_Comunicacion_Interesado/>
    <Observaciones/>
  </De_Interesado>
  <De_Asunto>
    <Resumen>Remisión de informe sobre afección a la carretera autonómica</Resumen>
    <Codigo_Asunto_Segun_Destino/>
    <Referencia_Externa>CF/2026/118</Referencia_Externa>
    <Numero_Expediente/>
  </De_Asunto>
  <De_Anexo>
    <Nombre_Fichero_Anexado>informe.pdf</Nombre_Fichero_Anexado>
    <Identificador_Fichero>{ID_REGIONAL}_02_0001.pdf</Identificador_Fichero>
    <Validez_Documento/>
    <Tipo_Documento>02</Tipo_Documento>
    <Certificado/>
    <Hash>{base64.b64encode(hex_sha1).decode()}</Hash>
    <Tipo_MIME>application/pdf</Tipo_MIME>
    <Anexo>{base64.b64encode(PDF).decode()}</Anexo>
    <Identificador_Documento_Firmado/>
    <Observaciones/>
  </De_Anexo>
  <De_Internos_Control>
    <Tipo_Transporte_Entrada/>
    <Numero_Transporte_Entrada/>
    <Nombre_Usuario>María Registradora</Nombre_Usuario>
    <Contacto_Usuario>registro.fomento@example.org</Contacto_Usuario>
    <Identificador_Intercambio>{ID_REGIONAL}</Identificador_Intercambio>
    <Aplicacion_Version_Emisora>RG31</Aplicacion_Version_Emisora>
    <Tipo_Anotacion>02</Tipo_Anotacion>
    <Descripcion_Tipo_Anotacion>Envío de registro de salida</Descripcion_Tipo_Anotacion>
    <Tipo_Registro>1</Tipo_Registro>
    <Documentacion_Fisica>3</Documentacion_Fisica>
    <Observaciones_Apunte/>
    <Indicador_Prueba>0</Indicador_Prueba>
    <Codigo_Entidad_Registral_Inicio>A08000001</Codigo_Entidad_Registral_Inicio>
    <Decodificacion_Entidad_Registral_Inicio>Registro General de la Consejería de Fomento</Decodificacion_Entidad_Registral_Inicio>
  </De_Internos_Control>
  <De_Formulario_Generico>
    <Expone/>
    <Solicita/>
  </De_Formulario_Generico>
</Fichero_Intercambio_SICRES_3>
""".encode()


def vendor_file(destino: str, unidad: str) -> bytes:
    absent = b"%PDF-1.4 a document the sender keeps and did not attach\n%%EOF\n"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Fichero_Intercambio_SICRES_3><De_Origen_o_Remitente><Codigo_Entidad_Registral_Origen>L01010101</Codigo_Entidad_Registral_Origen><Numero_Registro_Entrada>E/2026/000042</Numero_Registro_Entrada><Fecha_Hora_Entrada>20260312083000</Fecha_Hora_Entrada><Codigo_Unidad_Tramitacion_Origen>L01010101</Codigo_Unidad_Tramitacion_Origen><Decodificacion_Unidad_Tramitacion_Origen>Ayuntamiento vecino</Decodificacion_Unidad_Tramitacion_Origen></De_Origen_o_Remitente><De_Destino><Codigo_Entidad_Registral_Destino>{destino}</Codigo_Entidad_Registral_Destino><Decodificacion_Entidad_Registral_Destino>Oficina de registro</Decodificacion_Entidad_Registral_Destino><Codigo_Unidad_Tramitacion_Destino>{unidad}</Codigo_Unidad_Tramitacion_Destino></De_Destino><De_Interesado><Tipo_Documento_Identificacion_Interesado>N</Tipo_Documento_Identificacion_Interesado><Documento_Identificacion_Interesado>12345678Z</Documento_Identificacion_Interesado><Nombre_Interesado>Ana</Nombre_Interesado><Primer_Apellido_Interesado>Ruiz</Primer_Apellido_Interesado><Canal_Preferente_Comunicacion_Interesado></Canal_Preferente_Comunicacion_Interesado></De_Interesado><De_Asunto><Resumen>Solicitud de certificado de empadronamiento</Resumen></De_Asunto><De_Anexo><Nombre_Fichero_Anexado>solicitud.pdf</Nombre_Fichero_Anexado><Identificador_Fichero>{ID_VENDOR}_01_0001.pdf</Identificador_Fichero><Tipo_Documento>01</Tipo_Documento><Hash>
{_wrapped(hashlib.sha256(PDF).digest())}
</Hash><Tipo_MIME>application/pdf</Tipo_MIME><Anexo>
{_wrapped(PDF)}
</Anexo></De_Anexo><De_Anexo><Nombre_Fichero_Anexado>plano.pdf</Nombre_Fichero_Anexado><Identificador_Fichero>{ID_VENDOR}_02_0002.pdf</Identificador_Fichero><Validez_Documento>01</Validez_Documento><Tipo_Documento>02</Tipo_Documento><Hash>{_wrapped(hashlib.sha256(absent).hexdigest().encode())}</Hash><Tipo_MIME>application/pdf</Tipo_MIME></De_Anexo><De_Internos_Control><Identificador_Intercambio>{ID_VENDOR}</Identificador_Intercambio><Tipo_Anotacion>02</Tipo_Anotacion><Descripcion_Tipo_Anotacion>Envio</Descripcion_Tipo_Anotacion><Tipo_Registro>0</Tipo_Registro><Documentacion_Fisica>3</Documentacion_Fisica><Indicador_Prueba>0</Indicador_Prueba><Codigo_Entidad_Registral_Inicio>L01010101</Codigo_Entidad_Registral_Inicio></De_Internos_Control><De_Formulario_Generico><Expone></Expone><Solicita>Certificado</Solicita></De_Formulario_Generico></Fichero_Intercambio_SICRES_3>
""".encode()
