"""The names DESIGN.md's "Contracts" promise to outside checks (``workshops.services.
register_participant``, ``cancel_registration``, ``change_capacity``). The code lives in
workshops/registration/services.py; the portal's own modules import it from there, never from
here."""

from .registration.services import cancel_registration, change_capacity, register_participant

__all__ = ["cancel_registration", "change_capacity", "register_participant"]
