# SPDX-License-Identifier: AGPL-3.0-or-later
"""Opaque download links for every backend; upload links for local storage (S3 takes its own)."""

from __future__ import annotations

from flask import Response, jsonify, redirect, request, send_file
from werkzeug.exceptions import BadRequest, Gone, NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from app.core.extensions import csrf, talisman
from app.core.storage import (
    DownloadGrant,
    FileTooLarge,
    InvalidUpload,
    LinkExpired,
    LinkInvalid,
    LocalStorage,
    ObjectNotFound,
    Storage,
    content_disposition,
    get_storage,
    read_file_link,
)
from app.files import bp

# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 16 * 1024
# A stored file may be previewed inside our own pages (a CV in an iframe), never framed elsewhere,
# and a file can load nothing of its own.
FILE_POLICY = {"default-src": "'none'", "object-src": "'self'", "frame-ancestors": "'self'"}


def local_storage() -> LocalStorage:
    """The local backend, or 404 when files are served by S3 instead."""
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise NotFound()
    return storage


@bp.get("/d/<token>")
@talisman(frame_options="SAMEORIGIN", content_security_policy=FILE_POLICY)
def download(token: str) -> BaseResponse:
    """Stream (local) or redirect to (S3) a stored file named by an encrypted, unexpired link."""
    storage = get_storage()
    try:
        grant = read_file_link(token)
        if not isinstance(storage, LocalStorage):
            return _presigned_redirect(storage, grant)
        path = storage.path_of(grant.key)
    except LinkExpired as error:
        raise Gone() from error
    except (LinkInvalid, ObjectNotFound) as error:
        raise NotFound() from error
    response = send_file(path, mimetype=grant.content_type, conditional=True, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(grant.filename, inline=grant.inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _presigned_redirect(storage: Storage, grant: DownloadGrant) -> BaseResponse:
    # The key shows only in this redirect to the bucket, never in a page.
    url = storage.download_url(
        grant.key, filename=grant.filename, content_type=grant.content_type, inline=grant.inline
    )
    response = redirect(url, code=303)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/u/<token>")
@csrf.exempt  # the signed token is the authorization, as with an S3 presigned POST
def upload(token: str) -> tuple[Response, int]:
    """Receive one browser upload allowed by a signed upload ticket."""
    storage = local_storage()
    try:
        grant = storage.read_upload_token(token)
    except LinkExpired as error:
        raise Gone() from error
    except LinkInvalid as error:
        raise NotFound() from error
    request.max_content_length = grant.max_size + MULTIPART_OVERHEAD
    part = request.files.get("file")
    if part is None:
        raise BadRequest("Missing file")
    try:
        stored = storage.receive_upload(grant, part.stream, part.mimetype)
    except FileTooLarge as error:
        raise RequestEntityTooLarge() from error
    except InvalidUpload as error:
        raise BadRequest(str(error)) from error
    return jsonify(key=stored.key, size=stored.size, content_type=stored.content_type), 201
