"""/releases/: public releases listed and downloadable, the newest at
/releases/latest/, and nothing else in RELEASES_DIR ever served."""

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from claims.exports.releases import _write_manifest, release_export

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
SECOND = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def altered(path, name: str, content: str | None = None, link_to=None) -> None:
    """A release's file changed (or made a link), its MANIFEST written again
    to match: what only a verification that checks more than checksums
    catches."""
    for file in path.iterdir():
        file.chmod(0o644)
    target = path / name
    if link_to is not None:
        target.unlink()
        target.symlink_to(link_to)
    else:
        target.write_text(content)
    if link_to is None:
        _write_manifest(path)


@pytest.fixture
def releases(settings, tmp_path):
    """Two public releases, and in RELEASES_DIR beside them an internal one, a
    stray directory, and public ones altered: a file added, a file made a link
    out of the release, a package that is not an object, one whose date has no
    time zone."""
    settings.RELEASES_DIR = tmp_path
    call_command("load_review", stdout=io.StringIO())
    release_export(output=tmp_path / "2026-11-01", now=FIRST)
    release_export(output=tmp_path / "2026-12-01", now=SECOND)
    release_export(output=tmp_path / "2026-12-02", now=SECOND, internal=True)
    (tmp_path / "2026-12-03").mkdir()
    for name in ("2026-12-04", "2026-12-05", "2026-12-06", "2026-12-07"):
        release_export(output=tmp_path / name, now=SECOND)
    (tmp_path / "2026-12-04" / "secrets.txt").write_text("not published\n")
    # Outside the release, the README's very bytes: its checksum still holds.
    outside = tmp_path.parent / "outside.txt"
    outside.write_bytes((tmp_path / "2026-12-05" / "README.md").read_bytes())
    altered(tmp_path / "2026-12-05", "README.md", link_to=outside)
    altered(tmp_path / "2026-12-06", "datapackage.json", "[1]")
    descriptor = json.loads((tmp_path / "2026-12-07" / "datapackage.json").read_text())
    descriptor["created"] = "2026-12-07T09:00:00"
    altered(tmp_path / "2026-12-07", "datapackage.json", json.dumps(descriptor))
    return tmp_path


def test_the_list_shows_the_public_releases_newest_first(client, releases):
    response = client.get("/releases/")

    assert response.status_code == 200
    names = [r.name for r in response.context["releases"]]
    assert names == ["2026-12-01", "2026-11-01"]
    assert b'href="/releases/2026-12-01.zip"' in response.content
    for hidden in (
        "2026-12-02",
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
        "2026-12-07",
    ):
        assert hidden.encode() not in response.content


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
        "/releases/2026-12-04/",  # a file added
        "/releases/2026-12-04/secrets.txt",
        "/releases/2026-12-05/README.md",  # a link out of the release
        "/releases/2026-12-05.zip",
        "/releases/2026-12-06/",  # a package that is not an object
        "/releases/2026-12-07/",  # a date with no time zone
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
