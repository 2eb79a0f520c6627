"""URL map: the shell's pages, the API, health, and every app's own ``urls.py``."""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from minwon.portal import views as portal_views
from minwon.web import health, views
from minwon.web.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    # First: a load balancer asks these many times a second; Django tries patterns in order.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("", views.citizen_home, name="home"),
    path("staff/", portal_views.home, name="staff-home"),
    path("accounts/login/", views.MinwonLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/sign-up/", views.sign_up, name="sign-up"),
    path("accounts/sign-up/code/", views.sign_up_code, name="sign-up-code"),
    path("demo/mail/", views.demo_mail, name="demo-mail"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

for config in apps.get_app_configs():
    if config.name.startswith("minwon.") and config.name != "minwon.web":
        module_name = f"{config.name}.urls"
        if importlib.util.find_spec(module_name) is not None:
            urlpatterns.append(path("", include(module_name)))

handler400 = "minwon.web.views.bad_request"
handler403 = "minwon.web.views.permission_denied"
handler404 = "minwon.web.views.page_not_found"
handler500 = "minwon.web.views.server_error"
