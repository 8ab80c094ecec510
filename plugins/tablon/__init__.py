"""Plugin tablon: the tablón de anuncios (notices with publication and removal dates)."""
