"""Read single members of the data.police.uk monthly archive zip over HTTP range requests.

The archive (``<archive_url>/YYYY-MM.zip``) holds every force's files for about three years
up to that month (``YYYY-MM/YYYY-MM-<force>-street.csv``, ``-outcomes.csv``,
``-stop-and-search.csv``) and is well over a gigabyte. Instead of downloading it, the zip's
central directory and the wanted members are read with ``Range`` requests through the same
rate-limited client, so one force-month costs a few requests. A server that does not offer
ranges (no ``Accept-Ranges: bytes`` on HEAD) is treated as "no archive" and the caller falls
back to the API.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import OrderedDict

from clearhold.errors import SourceError
from clearhold.sources.police_uk_api import (
    OUTCOMES_COLUMNS,
    STOP_AND_SEARCH_COLUMNS,
    STREET_COLUMNS,
    PoliceUkClient,
)

BLOCK_SIZE = 1 << 20
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")

MEMBER_HEADERS: dict[str, tuple[str, ...]] = {
    "street": STREET_COLUMNS,
    "stop-and-search": STOP_AND_SEARCH_COLUMNS,
    "outcomes": OUTCOMES_COLUMNS,
}


def member_name(month: str, force: str, kind: str) -> str:
    return f"{month}/{month}-{force}-{kind}.csv"


def archive_for(month: str, latest: str) -> str:
    """The archive expected to hold ``month``: the latest one if it is within its three
    years, else the one published 35 months after ``month``."""
    if _months_between(month, latest) <= 35:
        return latest
    year, mon = int(month[:4]), int(month[5:])
    index = year * 12 + mon - 1 + 35
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _months_between(first: str, last: str) -> int:
    return (int(last[:4]) * 12 + int(last[5:])) - (int(first[:4]) * 12 + int(first[5:]))


class RemoteFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, fetched in cached blocks by Range requests."""

    def __init__(
        self,
        client: PoliceUkClient,
        url: str,
        size: int,
        *,
        block_size: int = BLOCK_SIZE,
        keep_blocks: int = 8,
    ) -> None:
        super().__init__()
        self._client = client
        self.url = url
        self.size = size
        self._block_size = block_size
        self._keep = keep_blocks
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        position = base + offset
        if position < 0:
            raise OSError(f"cannot seek to {position} in {self.url}")
        self._pos = position
        return position

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self.size - self._pos))
        written = 0
        while written < wanted:
            index, start = divmod(self._pos, self._block_size)
            block = self._block(index)
            chunk = block[start : start + wanted - written]
            if not chunk:
                break
            view[written : written + len(chunk)] = chunk
            written += len(chunk)
            self._pos += len(chunk)
        return written

    def _block(self, index: int) -> bytes:
        if index in self._blocks:
            self._blocks.move_to_end(index)
            return self._blocks[index]
        first = index * self._block_size
        last = min(self.size, first + self._block_size) - 1
        response = self._client.request("GET", self.url, headers={"Range": f"bytes={first}-{last}"})
        where = f"GET {self.url} (bytes {first}-{last})"
        if response.status_code != 206:
            raise SourceError(
                f"{where}: expected HTTP 206 Partial Content, got HTTP {response.status_code}"
            )
        match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
        if not match or int(match.group(1)) != first or int(match.group(2)) != last:
            raise SourceError(
                f"{where}: unexpected Content-Range {response.headers.get('content-range')!r}"
            )
        if match.group(3) != "*" and int(match.group(3)) != self.size:
            raise SourceError(
                f"{where}: the archive changed size while being read (republished?); run the fetch again"
            )
        data = response.content
        if len(data) != last - first + 1:
            raise SourceError(f"{where}: got {len(data)} bytes, expected {last - first + 1}")
        self._blocks[index] = data
        if len(self._blocks) > self._keep:
            self._blocks.popitem(last=False)
        return data


class RemoteArchive:
    """One monthly archive zip, opened lazily; ``members`` lists what it holds."""

    def __init__(self, client: PoliceUkClient, name: str) -> None:
        self.name = name
        self.url = f"{client.archive_url}/{name}.zip"
        self._client = client
        self._zip: zipfile.ZipFile | None = None
        self.unavailable_reason: str | None = None
        self.members: frozenset[str] = frozenset()

    def open(self) -> bool:
        """True when the archive exists and can be read by ranges; else sets ``unavailable_reason``."""
        response = self._client.request("HEAD", self.url, accept_missing=True)
        if response.status_code in (403, 404, 410):
            self.unavailable_reason = f"{self.url} does not exist (HTTP {response.status_code})"
            return False
        if response.headers.get("accept-ranges", "").lower() != "bytes":
            self.unavailable_reason = f"{self.url} does not offer range requests"
            return False
        try:
            size = int(response.headers["content-length"])
        except (KeyError, ValueError):
            self.unavailable_reason = f"{self.url} did not say its size"
            return False
        try:
            self._zip = zipfile.ZipFile(RemoteFile(self._client, self.url, size))
        except zipfile.BadZipFile as exc:
            raise SourceError(f"{self.url}: not a readable zip archive ({exc})") from None
        self.members = frozenset(self._zip.namelist())
        return True

    def read_member(self, name: str, kind: str) -> bytes:
        """The bytes of one CSV member, after checking its header row."""
        assert self._zip is not None
        try:
            data = self._zip.read(name)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SourceError(f"{self.url}: member {name} cannot be read ({exc})") from None
        first_line = data.split(b"\n", 1)[0].rstrip(b"\r").removeprefix(b"\xef\xbb\xbf")
        expected = ",".join(MEMBER_HEADERS[kind]).encode()
        if first_line != expected:
            raise SourceError(
                f"{self.url}: member {name}, line 1: header is {first_line[:300].decode('utf-8', 'replace')!r}; "
                f"expected {expected.decode()!r}"
            )
        return data
