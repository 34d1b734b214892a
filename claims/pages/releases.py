"""/releases/: the public releases, each file downloadable, and the newest at
/releases/latest/. Releases are read from RELEASES_DIR, where
`manage.py export_release` writes them; an internal release is never listed
or served (claims.exports.releases.published_releases)."""

import os
import tempfile
import zipfile

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from claims.exports import package
from claims.exports.releases import (
    MANIFEST_FILE,
    PublishedRelease,
    published_release,
    published_releases,
)

# How each file is served; "application/octet-stream" for any other.
MEDIA_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".bib": "application/x-bibtex; charset=utf-8",
    ".ris": "application/x-research-info-systems; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".cff": "application/x-yaml; charset=utf-8",
}
# Files without a suffix (LICENSE, MANIFEST) are plain text.
PLAIN = "text/plain; charset=utf-8"
# A zip is built in memory up to this size, then on disk.
ZIP_IN_MEMORY = 64 * 1024 * 1024


def release_list(request):
    return render(
        request,
        "claims/release_list.html",
        {"releases": published_releases(), "license": package.license_id()},
    )


def _release(name: str) -> PublishedRelease:
    release = published_release(name)
    if release is None:
        raise Http404("No such release.")
    return release


def release_detail(request, name: str):
    release = _release(name)
    sizes = release.sizes()
    files = [
        {"name": file, "sha256": digest, "bytes": sizes[file], "role": role}
        for file, digest in sorted(release.files.items())
        if (role := package.FILE_ROLES.get(file, ""))
    ]
    return render(
        request,
        "claims/release_detail.html",
        {
            "release": release,
            "files": files,
            "license": (release.descriptor.get("licenses") or [{}])[0],
            "versions": {
                "rules": release.descriptor.get("portal:rules_version", ""),
                "portal": release.descriptor.get("portal:version", ""),
                "data": release.descriptor.get("portal:data_version", ""),
            },
            "is_latest": published_releases()[0].name == release.name,
        },
    )


def release_file(request, name: str, filename: str):
    release = _release(name)
    if filename not in release.files and filename != MANIFEST_FILE:
        raise Http404("No such file in this release.")
    suffix = filename[filename.rfind(".") :] if "." in filename else ""
    content_type = MEDIA_TYPES.get(suffix, PLAIN)
    try:
        # Never through a link, even one made after the release was verified.
        descriptor = os.open(release.path / filename, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise Http404("No such file in this release.") from None
    return FileResponse(
        os.fdopen(descriptor, "rb"), content_type=content_type, filename=filename
    )


def release_zip(request, name: str):
    """Every file of the release, in one zip under a folder named for it."""
    release = _release(name)
    # Closed by the response once sent (FileResponse closes its file).
    archive = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)  # noqa: SIM115
    folder = f"msc-evidence-release-{release.name}"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for filename in sorted([*release.files, MANIFEST_FILE]):
            zipped.write(release.path / filename, f"{folder}/{filename}")
    archive.seek(0)
    return FileResponse(
        archive,
        content_type="application/zip",
        as_attachment=True,
        filename=f"{folder}.zip",
    )


def release_latest(request, filename: str = ""):
    """The newest release's page, or its file: a link that always follows it."""
    releases = published_releases()
    if not releases:
        raise Http404("No release has been published yet.")
    name = releases[0].name
    if filename:
        return redirect(reverse("claims:release_file", args=[name, filename]))
    return redirect(reverse("claims:release_detail", args=[name]))
