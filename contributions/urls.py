from django.urls import path

from contributions import views

app_name = "contributions"

urlpatterns = [
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
]
