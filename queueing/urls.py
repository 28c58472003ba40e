from django.urls import path

from queueing import views
from queueing.planning import views as planning_views

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
    path("board/notice/", views.board_notice, name="board_notice"),
    # The public screens: a device credential of the kind, never a staff session.
    path("device/kiosk/", views.device_kiosk, name="device_kiosk"),
    path("device/kiosk/ticket/<str:token>/", views.device_kiosk_ticket, name="device_kiosk_ticket"),
    path("device/board/", views.device_board, name="device_board"),
    path("device/board/events/", views.device_board_events, name="device_board_events"),
    path("device/counter/", views.device_counter_display, name="device_counter_display"),
    path("device/counter/state/", views.device_counter_display_state, name="device_counter_display_state"),
    path("device/satisfaction/", views.device_satisfaction, name="device_satisfaction"),
    path("device/satisfaction/state/", views.device_satisfaction_state, name="device_satisfaction_state"),
    path("device/satisfaction/rate/", views.device_satisfaction_rate, name="device_satisfaction_rate"),
    # The ticket on the customer's phone: public, named by the QR's signed link only.
    path("t/<str:token>/", views.ticket_public, name="ticket_public"),
    path("t/<str:token>/state/", views.ticket_public_state, name="ticket_public_state"),
    path("t/<str:token>/give-up/", views.ticket_public_give_up, name="ticket_public_give_up"),
    path("t/<str:token>/rate/", views.ticket_public_rate, name="ticket_public_rate"),
    path("live/", views.live, name="live"),
    path("live/national/", views.live_national, name="live_national"),
    path("report/", views.report, name="report"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("planner/", planning_views.planner, name="planner"),
    path("planner/<int:pk>/", planning_views.planner_run, name="planner_run"),
    path("planner/what-if/", planning_views.planner_what_if, name="planner_what_if"),
    path("planner/<int:pk>/plan/", planning_views.planner_plan_edit, name="planner_plan_edit"),
    path("planner/<int:pk>/roster.pdf", planning_views.planner_roster_pdf, name="planner_roster_pdf"),
    path("planner/<int:pk>/roster.xlsx", planning_views.planner_roster_xlsx, name="planner_roster_xlsx"),
]
