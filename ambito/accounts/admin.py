from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from ambito.accounts.models import ApiToken, User

# Fields that grant powers: only a superuser may change them, so that a system administrator
# with the accounts permissions cannot give themselves access to case content.
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += PRIVILEGE_FIELDS
        return readonly


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the application (the raw value is shown once); here only revoked."""

    list_display = ["user", "prefix", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "prefix"]
    list_select_related = ["user"]
    fields = ["user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
