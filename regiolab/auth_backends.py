"""Authentication backends that load the signed-in user with their roles in one query.

Every signed-in page asks whether the user is a coordinator, a funder, and (regiolab.mfa) has an
authenticator app; asked one by one that is three queries after the user's own. Here they come
as EXISTS columns of the user query; the role predicates in regiolab.permissions and
regiolab.mfa.has_totp read them and ask the database only for a user loaded another way.
"""

from allauth.account import auth_backends as allauth_backends
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.db.models import Exists, OuterRef

from .permissions import COORDINATORS_GROUP


class RolesWithUserMixin:
    def get_user(self, user_id):
        User = get_user_model()
        memberships = User.groups.through.objects.filter(user_id=OuterRef("pk"))
        user = (
            User._default_manager.annotate(
                role_coordinator=Exists(memberships.filter(group__name=COORDINATORS_GROUP)),
                # funding's relation, read through the user so that regiolab imports no app
                role_funder=Exists(User.funders.through.objects.filter(user_id=OuterRef("pk"))),
                totp_active=Exists(
                    Authenticator.objects.filter(
                        user_id=OuterRef("pk"), type=Authenticator.Type.TOTP
                    )
                ),
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


class ModelBackend(RolesWithUserMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(RolesWithUserMixin, allauth_backends.AuthenticationBackend):
    pass
