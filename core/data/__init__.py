"""Data files that ship with the kernel: the official XSDs (``core/data/xsd``, see its README)."""

from pathlib import Path

XSD = Path(__file__).resolve().parent / "xsd"
