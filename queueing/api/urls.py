from django.urls import path
from rest_framework.routers import DefaultRouter

from queueing.api import views
from sso.core import converters  # noqa: F401 - registers <id:...>

router = DefaultRouter()
router.register("services", views.ServiceViewSet, basename="queue-service")
router.register("counters", views.CounterViewSet, basename="queue-counter")
router.register("tickets", views.TicketViewSet, basename="queue-ticket")

ACTIONS = ["call-next", "recall", "start", "no-show", "finish", "transfer", "sign-in", "sign-out"]

urlpatterns = [
    path("issue/", views.TicketIssueView.as_view(), name="api-queue-issue"),
    *[
        path(
            f"counters/<id:pk>/{action}/",
            views.COUNTER_ACTIONS[action].as_view(action_name=action),
            name=f"api-queue-{action}",
        )
        for action in ACTIONS
    ],
    *router.urls,
]
