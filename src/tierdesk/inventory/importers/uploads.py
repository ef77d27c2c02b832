"""Uploaded files go to a private temporary folder, keep their names (the format is
recognised from names and folders) and are removed after the import."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from tierdesk.inventory.importers.formats.common import UPLOAD_MARKER


@contextmanager
def stored_uploads(files: Sequence[UploadedFile[Any]]) -> Iterator[Path]:
    """A folder holding the uploads; a .zip (e.g. a data-export folder) is unpacked."""
    folder = Path(tempfile.mkdtemp(prefix="tierdesk-upload-"))
    # Messages name files relative to this folder: the names people uploaded.
    (folder / UPLOAD_MARKER).touch()
    try:
        for upload in files:
            name = PurePosixPath((upload.name or "upload").replace("\\", "/")).name
            target = folder / name
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            if name.lower().endswith(".zip") and zipfile.is_zipfile(target):
                with zipfile.ZipFile(target) as archive:
                    for member in archive.infolist():
                        parts = PurePosixPath(member.filename).parts
                        if member.is_dir() or ".." in parts or member.filename.startswith("/"):
                            continue
                        dest = folder / target.stem / Path(*parts)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        with archive.open(member) as src, dest.open("wb") as out:
                            shutil.copyfileobj(src, out)
                target.unlink()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
