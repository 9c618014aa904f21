"""Authentication backends that load the signed-in user with their roles in one query.

Every signed-in page asks whether the user is a coordinator, a funder, and (regiolab.mfa) has an
authenticator app; asked one by one that is three queries after the user's own. Here they come
as EXISTS columns of the user query; the role predicates in regiolab.permissions and
regiolab.mfa.has_totp read them and ask the database only for a user loaded another way.
"""

import functools

from allauth.account import auth_backends as allauth_backends
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group

from .permissions import COORDINATORS_GROUP


@functools.cache
def _user_with_roles_sql() -> str:
    """The user row and three EXISTS flags; written once, as the ORM's version of it took longer
    to compile on every request than to run."""
    User = get_user_model()
    user = User._meta.db_table
    groups = User.groups.through._meta.db_table
    group = Group._meta.db_table
    funders = User.funders.through._meta.db_table
    authenticator = Authenticator._meta.db_table
    return (
        f"SELECT u.*, "  # noqa: S608  # nosec B608 — table names from the models, values are parameters
        f'EXISTS (SELECT 1 FROM "{groups}" ug JOIN "{group}" g ON g.id = ug.group_id '
        f"WHERE ug.user_id = u.id AND g.name = %s) AS role_coordinator, "
        f'EXISTS (SELECT 1 FROM "{funders}" fu WHERE fu.user_id = u.id) AS role_funder, '
        f'EXISTS (SELECT 1 FROM "{authenticator}" a WHERE a.user_id = u.id AND a.type = %s) '
        f"AS totp_active "
        f'FROM "{user}" u WHERE u.id = %s'
    )


class RolesWithUserMixin:
    def get_user(self, user_id):
        params = [COORDINATORS_GROUP, Authenticator.Type.TOTP.value, user_id]
        users = get_user_model()._default_manager.raw(_user_with_roles_sql(), params)
        user = next(iter(users), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        # SQLite answers EXISTS with 0 or 1.
        for flag in ("role_coordinator", "role_funder", "totp_active"):
            setattr(user, flag, bool(getattr(user, flag)))
        return user


class ModelBackend(RolesWithUserMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(RolesWithUserMixin, allauth_backends.AuthenticationBackend):
    pass
