"""Controleniveau 3 and 4 rules: against earlier messages (berichtoverstijgend) and
external sources (system date, CBS municipality codes, product code list)."""
