"""Linking programme people to accounts that appear after they were added: at login and when
an address is confirmed (the services do the work; these only pass the user on)."""


def link_at_login(sender, request, user, **kwargs) -> None:
    from .services import link_accounts

    link_accounts(user=user)


def link_on_confirmation(sender, request, email_address, **kwargs) -> None:
    from .services import link_accounts

    link_accounts(user=email_address.user)


def register() -> None:
    from allauth.account.signals import email_confirmed
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(link_at_login, dispatch_uid="learning.link_at_login")
    email_confirmed.connect(link_on_confirmation, dispatch_uid="learning.link_on_confirmation")
