"""Controleniveau 4 rules against external sources that need no store: the system date
and the CBS municipality codes of the installed reference."""
