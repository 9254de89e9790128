"""Dialogs: import, errors, label clashes."""
