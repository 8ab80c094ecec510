"""Encrypted backups of a whole deployment (database, blobs, data-dir files, keys) and
restores that verify themselves: ``concejo backup`` / ``concejo restore``."""
