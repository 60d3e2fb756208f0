"""The case page's plans section: its routes (in the "cases" namespace)."""

from django.urls import URLPattern, path

from ambito.cases import plans_views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/progetti/nuovo/", plans_views.new_plan, name="new_plan"),
    path("<int:pk>/progetti/<int:plan_pk>/verifica/", plans_views.new_review, name="new_review"),
    path(
        "<int:pk>/progetti/<int:plan_pk>/sottoscrizione/",
        plans_views.plan_agree,
        name="plan_agree",
    ),
    path("<int:pk>/progetti/<int:plan_pk>/conclusione/", plans_views.plan_end, name="plan_end"),
    path("<int:pk>/progetti/<int:plan_pk>/obiettivi/", plans_views.new_goal, name="add_goal"),
    path(
        "<int:pk>/progetti/<int:plan_pk>/interventi/",
        plans_views.new_intervention,
        name="add_intervention",
    ),
    path(
        "<int:pk>/progetti/<int:plan_pk>/ente-gestore/",
        plans_views.intervention_provider,
        name="intervention_provider",
    ),
    path(
        "<int:pk>/progetti/interventi/<int:intervention_pk>/avvio/",
        plans_views.intervention_start,
        name="intervention_start",
    ),
    path(
        "<int:pk>/progetti/interventi/<int:intervention_pk>/sospensione/",
        plans_views.intervention_suspend,
        name="intervention_suspend",
    ),
    path(
        "<int:pk>/progetti/interventi/<int:intervention_pk>/ripresa/",
        plans_views.intervention_resume,
        name="intervention_resume",
    ),
    path(
        "<int:pk>/progetti/interventi/<int:intervention_pk>/conclusione/",
        plans_views.intervention_end,
        name="intervention_end",
    ),
]
