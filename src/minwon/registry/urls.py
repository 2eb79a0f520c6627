"""Registry pages: staff (search, person, counter move-in) and citizens (household,
address history, online move-in)."""

from django.urls import path
from django.utils.translation import gettext_noop

from minwon.registry import counter, views
from minwon.web import nav

urlpatterns = [
    path("staff/registry/persons/", views.person_search, name="registry-search"),
    path("staff/registry/persons/<int:person_id>/", views.person_page, name="registry-person"),
    path("staff/registry/move-in/", views.counter_move_in, name="registry-counter-move-in"),
    path(
        "staff/registry/household-move-in/",
        counter.move_household,
        name="registry-move-household",
    ),
    path("staff/registry/pick/", counter.pick_person, name="registry-pick"),
    path(
        "staff/registry/persons/<int:person_id>/status/",
        counter.record_status,
        name="registry-record-status",
    ),
    path(
        "staff/registry/households/<int:household_id>/",
        counter.household_page,
        name="registry-household",
    ),
    path(
        "staff/registry/households/<int:household_id>/head/",
        counter.change_head,
        name="registry-change-head",
    ),
    path(
        "staff/registry/households/<int:household_id>/merge/",
        counter.merge,
        name="registry-merge",
    ),
    path(
        "staff/registry/households/<int:household_id>/split/",
        counter.split,
        name="registry-split",
    ),
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
nav.register(
    "staff", gettext_noop("세대 전체 전입"), "registry-move-household", order=12,
    permission="registry.move_in",
)  # fmt: skip
nav.register("citizen", gettext_noop("우리 세대"), "registry-my-household", order=30)
nav.register("citizen", gettext_noop("전입신고"), "registry-online-move-in", order=31)
