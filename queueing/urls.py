from django.urls import path

from queueing import views

app_name = "queueing"

urlpatterns = [
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/ticket/<int:pk>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("counter/", views.counter_choose, name="counter_choose"),
    path("counter/<int:pk>/", views.console, name="console"),
    path("counter/<int:pk>/case/", views.console_case, name="console_case"),
    path("counter/<int:pk>/<slug:action>/", views.console_action, name="console_action"),
    path("board/", views.board, name="board"),
    path("board/events/", views.board_events, name="board_events"),
    path("live/", views.live, name="live"),
    path("live/national/", views.live_national, name="live_national"),
    path("report/", views.report, name="report"),
    path("tickets/", views.ticket_list, name="ticket_list"),
]
