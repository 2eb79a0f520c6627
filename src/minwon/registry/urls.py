"""Registry pages: staff (search, person, counter move-in) and citizens (household,
address history, online move-in)."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.registry import views
from minwon.web import nav

urlpatterns = [
    path("staff/registry/persons/", views.person_search, name="registry-search"),
    path("staff/registry/persons/<int:person_id>/", views.person_page, name="registry-person"),
    path("staff/registry/move-in/", views.counter_move_in, name="registry-counter-move-in"),
    path("registry/household/", views.my_household, name="registry-my-household"),
    path("registry/history/", views.my_history, name="registry-my-history"),
    path("registry/move-in/", views.online_move_in, name="registry-online-move-in"),
]

nav.register(
    "staff",
    gettext_noop("전입신고"),
    "registry-counter-move-in",
    order=10,
    permission="registry.move_in",
)
nav.register(
    "staff", gettext_noop("주민 검색"), "registry-search", order=11, permission="registry.read"
)
nav.register("citizen", gettext_noop("우리 세대"), "registry-my-household", order=30)
nav.register("citizen", gettext_noop("전입신고"), "registry-online-move-in", order=31)
