from django.urls import path

from . import views

urlpatterns = [
    path("newsletter/", views.newsletter_list, name="newsletters"),
    path("newsletter/new/", views.newsletter_create, name="newsletter_create"),
    path("newsletter/<int:pk>/", views.newsletter_detail, name="newsletter"),
    path("newsletter/<int:pk>/edit/", views.newsletter_edit, name="newsletter_edit"),
    path("newsletter/<int:pk>/send/", views.newsletter_send, name="newsletter_send"),
    path("newsletter/subscribe/", views.subscribe, name="newsletter_subscribe"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="newsletter_confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
]
