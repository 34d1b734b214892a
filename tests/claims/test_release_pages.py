"""/releases/: public releases listed and downloadable, the newest at
/releases/latest/, and nothing else in RELEASES_DIR ever served."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command

from claims.exports.releases import release_export

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
SECOND = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def releases(settings, tmp_path):
    """Two public releases, an internal one, a stray directory and a stray
    file, all in RELEASES_DIR."""
    settings.RELEASES_DIR = tmp_path
    call_command("load_review", stdout=io.StringIO())
    release_export(output=tmp_path / "2026-11-01", now=FIRST)
    release_export(output=tmp_path / "2026-12-01", now=SECOND)
    release_export(output=tmp_path / "2026-12-02", now=SECOND, internal=True)
    (tmp_path / "2026-12-03").mkdir()
    # A file someone put beside a release's own: not in its MANIFEST.
    (tmp_path / "2026-12-01" / "secrets.txt").write_text("not published\n")
    return tmp_path


def test_the_list_shows_the_public_releases_newest_first(client, releases):
    response = client.get("/releases/")

    assert response.status_code == 200
    names = [r.name for r in response.context["releases"]]
    assert names == ["2026-12-01", "2026-11-01"]
    assert b'href="/releases/2026-12-01.zip"' in response.content
    assert b"2026-12-02" not in response.content  # the internal one


def test_latest_follows_the_newest_release_and_its_files(client, releases):
    response = client.get("/releases/latest/")
    assert response.status_code == 302
    assert response["Location"] == "/releases/2026-12-01/"

    response = client.get("/releases/latest/evidence.csv")
    assert response["Location"] == "/releases/2026-12-01/evidence.csv"


def test_each_listed_file_downloads_as_written(client, releases):
    page = client.get("/releases/2026-12-01/")
    assert page.status_code == 200
    listed = {file["name"]: file for file in page.context["files"]}
    assert "datapackage.json" in listed
    assert "MANIFEST" not in listed

    for name, file in listed.items():
        response = client.get(f"/releases/2026-12-01/{name}")
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == file["sha256"], name
        assert body == (releases / "2026-12-01" / name).read_bytes()
    csv = client.get("/releases/2026-12-01/evidence.csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get("/releases/2026-12-01/MANIFEST").status_code == 200


def test_the_zip_holds_every_file_and_its_manifest_checks(client, releases):
    response = client.get("/releases/2026-12-01.zip")

    assert response["Content-Type"] == "application/zip"
    assert "msc-evidence-release-2026-12-01.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    folder = "msc-evidence-release-2026-12-01/"
    manifest = archive.read(folder + "MANIFEST").decode().splitlines()
    assert len(manifest) == len(archive.namelist()) - 1
    for line in manifest:
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(folder + name)).hexdigest() == digest


@pytest.mark.parametrize(
    "path",
    [
        "/releases/2026-12-02/",  # internal
        "/releases/2026-12-02/release.json",
        "/releases/2026-12-02.zip",
        "/releases/2026-12-03/",  # no MANIFEST
        "/releases/2026-12-01/secrets.txt",  # not in the release
        "/releases/2026-12-01/..%2F2026-12-02%2Frelease.json",
        "/releases/nothing/",
    ],
)
def test_nothing_but_a_public_releases_files_is_served(client, releases, path):
    assert client.get(path).status_code == 404


def test_with_no_release_the_list_says_so_and_latest_is_not_found(
    client, settings, tmp_path
):
    settings.RELEASES_DIR = tmp_path / "none"

    response = client.get("/releases/")
    assert response.status_code == 200
    assert b"No release has been published yet." in response.content
    assert client.get("/releases/latest/").status_code == 404
