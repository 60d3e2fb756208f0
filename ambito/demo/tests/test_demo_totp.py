"""The demo logins' second factor: one documented secret, and the command that prints the code."""

import base64
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from ambito.demo.builder import PERSONAS
from ambito.demo.personas import DEMO_TOTP_SECRET, demo_totp_code, demo_totp_key


def test_the_stored_key_is_the_documented_base32_secret():
    assert base64.b32encode(bytes.fromhex(demo_totp_key())).decode() == DEMO_TOTP_SECRET


@pytest.mark.django_db
def test_every_persona_is_enrolled_with_the_demo_secret():
    devices = TOTPDevice.objects.filter(user__username__in=PERSONAS, confirmed=True)
    assert sorted(devices.values_list("user__username", flat=True)) == sorted(PERSONAS)
    assert set(devices.values_list("key", flat=True)) == {demo_totp_key()}


@pytest.mark.django_db
def test_demo_totp_prints_a_code_the_demo_device_accepts(settings, anna):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("demo_totp", stdout=out)
    printed = out.getvalue().strip()
    assert printed in {demo_totp_code(time.time() + step) for step in (-30, 0)}
    assert anna.totpdevice_set.get().verify_token(printed)


def test_demo_totp_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="solo in modalità demo"):
        call_command("demo_totp", stdout=StringIO())
