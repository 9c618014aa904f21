from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/review/", views.review, name="review"),
    path("<slug:slug>/review/reviewers/", views.reviewers, name="review_reviewers"),
    path("<slug:slug>/review/assign/", views.assign_balanced, name="review_assign_balanced"),
    path("<slug:slug>/review/decisions/", views.decisions, name="review_decisions"),
    path("<slug:slug>/review/<int:pk>/", views.proposal_review, name="review_proposal"),
    path("<slug:slug>/review/<int:pk>/manage/", views.proposal_manage, name="review_manage"),
    path("<slug:slug>/review/<int:pk>/assign/", views.proposal_assign, name="review_assign"),
    path(
        "<slug:slug>/review/<int:pk>/unassign/<int:assignment>/",
        views.proposal_unassign,
        name="review_unassign",
    ),
    path(
        "<slug:slug>/review/<int:pk>/decision/",
        views.proposal_decision,
        name="review_decision",
    ),
]
