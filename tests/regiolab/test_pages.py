import pytest
from django.utils import translation

PAGES = {
    "/imprint/": ("Impressum", "Imprint"),
    "/privacy/": ("Datenschutzhinweise", "Privacy notice"),
    "/accessibility/": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", *PAGES])
def test_pages_have_landmarks_skip_link_and_one_h1(client, path):
    html = client.get(path).content.decode()
    assert html.count("<h1") == 1
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'href="#main"' in html
    for link in ("/imprint/", "/privacy/", "/accessibility/"):
        assert f'href="{link}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("path,titles", PAGES.items())
def test_language_switch_changes_page_language(client, path, titles):
    german, english = titles
    html = client.get(path).content.decode()
    assert '<html lang="de">' in html and german in html
    client.post("/i18n/setlang/", {"language": "en", "next": path})
    html = client.get(path).content.decode()
    assert '<html lang="en">' in html and english in html
    translation.activate("de")
