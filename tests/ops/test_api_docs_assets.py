"""/api/docs loads Swagger UI from the project itself: no other host, so it works without a CDN."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_docs_page_references_no_external_host(anon):
    response = anon.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    # No absolute or scheme-relative address anywhere in the page: attributes, scripts or settings.
    assert not re.search(r"https?://|(?<![:/\w])//[\w.-]+\.\w", page), page
    assert "cdn.jsdelivr.net" not in page
    # Swagger UI's online validator badge would be fetched from its authors' server.
    assert '"validatorUrl": null' in page


def test_every_asset_the_docs_page_loads_is_a_static_file_of_the_project(anon, settings):
    page = anon.get("/api/docs").content.decode()
    addresses = URL_ATTRIBUTE.findall(page)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    assets = [address for address in addresses if address.startswith(static_prefix)]
    names = {address.rsplit("/", 1)[-1] for address in assets}
    assert {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} <= names
    assert len(assets) == len(addresses), addresses
    for address in assets:
        relative = address.removeprefix(static_prefix)
        found = finders.find(relative)
        assert found, f"{address} is not shipped with the project"


def test_the_schema_the_docs_page_reads_is_served_by_the_project(anon):
    page = anon.get("/api/docs").content.decode()
    found = re.search(r'\burl: "([^"]+)"', page)
    assert found, page
    schema_url = json.loads(f'"{found.group(1)}"')  # written with escapejs
    assert schema_url.startswith("/api/schema"), schema_url
    assert anon.get(schema_url).status_code == 200
