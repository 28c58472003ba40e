from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from sso.core import views as core_views
from sso.core.api.urls import urlpatterns as core_api
from sso.core.api.views import SchemaView

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("sso.core.urls")),
    path("registry/", include("registry.urls")),
    path("queue/", include("queueing.urls")),
    path("contributions/", include("contributions.urls")),
    path("benefits/", include("benefits.urls")),
    path("api/queue/", include("queueing.api.urls")),
    path("api/registry/", include("registry.api.urls")),
    path("api/contributions/", include("contributions.api.urls")),
    path("api/benefits/", include("benefits.api.urls")),
    path("api/", include(core_api)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script at its own address: no inline script (CSP).
    # The API's description maps every endpoint and field of the personal data held: staff only.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("admin/", admin.site.urls),
]

# Under /api/ Django's own refusals answer in the API's error shape (sso.core.api.errors).
handler400 = "sso.core.api.errors.bad_request"
handler404 = "sso.core.api.errors.page_not_found"
handler500 = "sso.core.api.errors.server_error"
