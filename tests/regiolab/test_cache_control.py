"""Private pages and downloads are never stored by a browser or proxy (issue 14).

Every answer to a signed-in person, and every page reached by a secret link (cancel, certificate,
unsubscribe, the registration result), says ``Cache-Control: private, no-store``; public pages for
visitors keep their caching headers. The pages come from the permission matrix's URL map.
"""

import re

import pytest
from django.conf import settings as django_settings

from tests import test_permission_matrix as matrix

ROWS, _path = matrix.ROWS, matrix._path
# The matrix's one world and client for the module (fixtures, shared rather than copied).
world, matrix_client = matrix.world, matrix.matrix_client

pytestmark = pytest.mark.django_db

SIGNED_IN = ("rep_a", "rep_b", "coordinator", "funder")
PUBLIC = ("/", "/workshops/", "/networks/", "/funding/programmes/", "/workshops/{W}/")
SECRET_LINKS = (
    "/registrations/{token_a}/cancel/",
    "/registrations/{token_attended}/certificate.pdf",
    "/unsubscribe/{unsubscribe}/",
    "/registrations/{token_a}/",
    "/registrations/checkin/{checkin_code}/",
    "/s/{S_token}/",  # a survey's answer page by its e-mailed link
    "/s/{S_answered_token}/thanks/",
)


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def fetch(client, world, role, path):
    client.cookies.clear()
    if role in world.sessions:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client.get(path)


GETS = [r for r in ROWS if r.method == "GET"]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_page_and_download_for_a_signed_in_person_is_not_stored(matrix_client, world, role):
    stored = []
    for r in GETS:
        path = _path(world, r)
        response = fetch(matrix_client, world, role, path)
        if not no_store(response):
            stored.append(f"{path} {response.status_code} {response.get('Cache-Control')!r}")
    assert stored == [], f"{len(stored)} of {len(GETS)} answers may be stored:\n" + "\n".join(
        stored
    )


@pytest.mark.parametrize("template", SECRET_LINKS)
def test_pages_behind_a_secret_link_are_not_stored(matrix_client, world, template):
    response = fetch(matrix_client, world, "anonymous", template.format(**world.ids))
    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")


def test_the_registration_result_is_not_stored(matrix_client, world):
    from tests.matrix_world import PAYLOADS

    path = f"/workshops/{world.ids['W']}/register/"
    matrix_client.cookies.clear()
    page = matrix_client.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = matrix_client.post(
        path, {**PAYLOADS["register"](world), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    result = matrix_client.get(response["Location"])
    assert result.status_code == 200
    assert no_store(result), result.get("Cache-Control")


@pytest.mark.parametrize("template", PUBLIC)
def test_public_pages_for_visitors_keep_their_caching_headers(matrix_client, world, template):
    response = fetch(matrix_client, world, "anonymous", template.format(**world.ids))
    assert response.status_code == 200
    assert not response.has_header("Cache-Control"), response.get("Cache-Control")
    assert not response.has_header("Expires")
