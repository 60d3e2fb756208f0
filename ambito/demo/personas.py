"""The second factor of the demo logins, importable without Django settings (scripts/demo.sh
prints the secret from here).

Every demo persona comes enrolled with the same TOTP secret, published in the README: the demo
holds fictitious data only. Add it to any authenticator app, or print the current code with
`AMBITO_DEMO=1 manage.py demo_totp`. Never used outside the demo and the tests.
"""

import base64

from django_otp.oath import TOTP

# Base32, as authenticator apps take it.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def demo_totp_key() -> str:
    """The secret as the hex key django-otp's TOTPDevice stores."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def demo_totp_code(at: float | None = None) -> str:
    """The six-digit code of the demo secret at Unix time `at` (now by default)."""
    otp = TOTP(bytes.fromhex(demo_totp_key()))
    if at is not None:
        otp.time = at
    return f"{otp.token():06d}"
