from django.urls import path

from ambito.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/allegato-2.pdf", views.document, name="document"),
    path("<int:pk>/schede.xlsx", views.document_xlsx, name="document_xlsx"),
    # pk: the objective (scheda obiettivo)
    path("schede/<int:pk>/", views.objective, name="objective"),
    # POST action=<id of one of the card's actions>
    path("schede/<int:pk>/azioni/", views.action_status, name="action_status"),
    path("schede/<int:pk>/indicatori/", views.add_indicator, name="add_indicator"),
    path("schede/<int:pk>/valutazione/", views.evaluation, name="evaluation"),
    path("indicatori/<int:pk>/", views.indicator, name="indicator"),
    path("indicatori/<int:pk>/valori/", views.record_value, name="record_value"),
]
