"""Django admin for staff: organizations and memberships across tenants (system access)."""

from django.contrib import admin

from console.models import Membership, Organization
from console.tenancy import unscoped_access


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Staff manage memberships of every organization; changes here bypass the audit trail."""

    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__slug"]

    readonly_fields = ["user", "organization", "created"]

    def has_add_permission(self, request):
        # New members join through invitations (or `manage.py create_organization`).
        return False

    def get_queryset(self, request):
        return Membership.unscoped.select_related("user", "organization")

    def save_model(self, request, obj, form, change):
        with unscoped_access():
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with unscoped_access():
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with unscoped_access():
            super().delete_queryset(request, queryset)
