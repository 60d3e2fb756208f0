"""The case page's plans section: its routes (in the "cases" namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
