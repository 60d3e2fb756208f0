from django.urls import path

from ambito.copay import views

app_name = "copay"

urlpatterns = [
    path("simulatore/", views.simulator, name="simulator"),
    path("regolamenti/", views.regulations, name="regulations"),
    path("mesi/", views.runs, name="runs"),
    path("mesi/calcola/", views.run, name="run_month"),
    path("mesi/<int:pk>/", views.run_detail, name="run"),
    # ?comune=<id>
    path("mesi/<int:pk>/prospetto.xlsx", views.comune_statement, name="comune_statement"),
    # ?persona=<id>
    path("mesi/<int:pk>/lettera.pdf", views.letter, name="letter"),
    path("addebiti/<int:pk>/rettifica/", views.adjust, name="adjust"),
    # pk: the person (the section ISEE of the person page)
    path("persone/<int:pk>/isee/", views.declare, name="declare_isee"),
]
