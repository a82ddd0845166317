"""Files known to the fake Bot API: uploads, file ids, picture sizes."""

from __future__ import annotations

import hashlib
import mimetypes
import struct
from itertools import count

from bot.emulator.telegram.records import StoredFile, UploadedFile
from bot.emulator.telegram.validation import bad_request

_PREFIX = {"document": "BQACAgIAAxk", "photo": "AgACAgIAAxk"}
_EXTENSION = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(mime type, width, height) of a PNG, JPEG, GIF or WebP picture; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"GIF8") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif", width, height
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP" and len(data) >= 30:
        if data[12:16] == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return "image/webp", width, height
        return "image/webp", 1, 1
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[str, int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return "image/jpeg", width, height
        i += 2 + length
    return None


class FileStore:
    """Every file by file_id, and the uploads that arrive as multipart parts."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = count(1)

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def add(
        self, kind: str, data: bytes, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        """Store bytes under a new file_id; photos must be pictures, like on Telegram."""
        if not data:
            raise bad_request("file must be non-empty")
        width = height = 0
        if kind == "photo":
            sniffed = image_size(data)
            if sniffed is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            mime_type, width, height = sniffed
            filename = None
        number = next(self._numbers)
        digest = hashlib.sha1(data).hexdigest()
        extension = _EXTENSION.get(mime_type or "", "")
        if kind == "document" and filename and "." in filename:
            extension = filename.rsplit(".", 1)[1]
        folder = "photos" if kind == "photo" else "documents"
        path = f"{folder}/file_{number}" + (f".{extension}" if extension else "")
        stored = StoredFile(
            file_id=f"{_PREFIX[kind]}{number:06d}{digest[:12]}",
            file_unique_id=f"AQAD{digest[:12]}",
            data=data,
            kind=kind,
            file_path=path,
            filename=filename,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def resolve(
        self, kind: str, value: object, files: dict[str, UploadedFile]
    ) -> StoredFile:
        """The file a send method refers to: an upload (part or attach://), a file_id or a URL."""
        upload: UploadedFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://"):])
            if upload is None:
                raise bad_request(f"file for the {kind} was not found in the request")
        elif value is None:
            upload = files.get(kind)
        if upload is not None:
            mime = upload.content_type
            if mime in (None, "application/octet-stream") and kind == "document":
                mime = _guess_mime(upload.filename)
            return self.add(kind, upload.data, upload.filename, mime)
        if value is None or value == "":
            raise bad_request(f"there is no {kind} in the request")
        if not isinstance(value, str):
            raise bad_request(f"wrong type of the {kind} parameter")
        known = self.get(value)
        if known is not None:
            if known.kind != kind:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return known
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            if kind == "photo":
                raise bad_request("wrong file identifier/HTTP URL specified")
            return self.add(kind, value.encode("utf-8"), name, _guess_mime(name))
        raise bad_request("wrong file identifier/HTTP URL specified")


def _guess_mime(filename: str | None) -> str | None:
    if not filename:
        return None
    return mimetypes.guess_type(filename)[0]
