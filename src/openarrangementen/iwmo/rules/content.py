"""Controleniveau 2 rules: checkable within one message (the standard's XSLT rules and
the conditions and constraints CD/CS)."""
