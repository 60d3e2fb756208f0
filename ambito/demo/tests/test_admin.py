"""The Django admin as the demo system administrator sees it."""

import pytest
from django.test import Client

from ambito.accounts.models import User
from conftest import client_for

# Through the HTTPS proxy, as in production (plain http:// is redirected).
HTTPS = {"x-forwarded-proto": "https"}


def admin_client(user: User) -> Client:
    return client_for(user, headers=HTTPS)


@pytest.mark.parametrize(
    "path",
    [
        "territory/ambito",
        "territory/comune",
        "territory/population",
        "organizations/ente",
        "organizations/serviceunit",
        "organizations/operator",
        "organizations/team",
        "accounts/user",
        "accounts/apitoken",
    ],
)
def test_the_system_administrator_can_list_configuration(sysadmin, path):
    response = admin_client(sysadmin).get(f"/admin/{path}/")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["people/person", "people/household", "cases/case"])
def test_persons_and_cases_are_not_in_the_admin(sysadmin, path):
    assert admin_client(sysadmin).get(f"/admin/{path}/").status_code == 404


def test_the_system_administrator_cannot_grant_themselves_superuser_or_permissions(sysadmin):
    response = admin_client(sysadmin).get(f"/admin/accounts/user/{sysadmin.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
