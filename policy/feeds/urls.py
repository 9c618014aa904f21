from django.urls import path

from . import views

urlpatterns = [
    path("policy/feeds/", views.feed_list, name="feeds"),
    path("policy/feeds/new/", views.feed_create, name="feed_create"),
    path("policy/feeds/<int:pk>/", views.feed_edit, name="feed_edit"),
    path("policy/feeds/<int:pk>/delete/", views.feed_delete, name="feed_delete"),
    path("policy/feeds/<int:pk>/import/", views.feed_import, name="feed_import"),
]
