"""Registered from PolicyConfig.ready(): the permissions, and publishing a meeting's workshop
(from anywhere) invites the group's members."""

from workshops.lifecycle.services import on_publish

from . import rules  # noqa: F401 — registers the permissions
from .services import invite_on_publish

on_publish(invite_on_publish)
