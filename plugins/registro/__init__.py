"""Registro general: asientos de entrada y salida, justificantes and the SIR exchange."""
