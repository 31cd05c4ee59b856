"""Clients are not managed in the beheer site: personal data is reached only through the
portal's visibility selector, where every read is logged (SPEC §7)."""
