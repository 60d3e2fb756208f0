"""The case page's protection section: its routes (in the "cases" namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
