from django import template

from regiolab.mail.services import office_address

register = template.Library()


@register.simple_tag
def office_email() -> str:
    """OFFICE_EMAIL, where replies to the portal's automatic e-mails go."""
    return office_address()
