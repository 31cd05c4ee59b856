from oidc_provider.lib.claims import ScopeClaims


def userinfo(claims, user):
    """Standard claims: the staff member's e-mail address and name."""
    claims["email"] = user.email or None
    claims["email_verified"] = bool(user.email)
    claims["name"] = user.get_full_name() or None
    return claims


class BsnScopeClaims(ScopeClaims):
    """The `bsn` scope of a DigiD broker: the person's BSN (here: their username)."""

    info_bsn = ("BSN", "Het burgerservicenummer.")

    def scope_bsn(self):
        username = self.user.get_username()
        return {"bsn": username} if username.isdigit() else {}
