"""A text file's bytes as a stream: seen as UTF-8 for pyarrow, or searched for bad UTF-8.

Helpers for :mod:`bertdesk.core.tables.delimited`. Unlike :mod:`bertdesk.core.tables.encoding`, which
looks at an in-memory sample, these read the whole file as it goes.
"""

from __future__ import annotations

import codecs
import io
import threading
from typing import BinaryIO

import numpy as np

from bertdesk.core.errors import Cancelled
from bertdesk.core.progress import CancelToken


class Utf8Stream(io.RawIOBase):
    """A binary file seen as UTF-8, for pyarrow's CSV reader.

    With ``codec=None`` the bytes pass through untouched (pyarrow validates UTF-8 itself).
    Otherwise they are decoded here rather than with pyarrow's ``encoding=`` option, so that
    undecodable bytes become U+FFFD (counted in :attr:`replaced`, for a warning) instead of
    an error. pyarrow pulls from its own read-ahead thread; the caller reads the counters
    between batches or after the read: :attr:`bytes_read` (progress), :attr:`line_breaks`
    (occurrences of ``line_break``), :attr:`quotes` ('"' characters) and :attr:`tail` (the
    last 64 KiB passed on). Counting uses numpy, which releases the GIL and is ~4x faster
    than ``bytes.count``; with pyarrow parsing on the other cores it costs next to nothing.
    """

    TAIL = 1 << 16

    def __init__(self, file: BinaryIO, codec: str | None, cancel: CancelToken, *, line_break: bytes = b"\n") -> None:
        super().__init__()
        self._file = file
        self._lock = threading.Lock()  # close() must not pull the file from under a read
        self._decoder = None if codec is None else codecs.getincrementaldecoder(codec)(errors="replace")
        self._pending = b""
        self._cancel = cancel
        self._line_break = line_break[0]
        self.bytes_read = 0
        self.replaced = 0
        self.line_breaks = 0
        self.quotes = 0
        self.tail = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        if self._cancel.is_set():
            raise Cancelled()  # stops pyarrow's read-ahead too
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
            return data
        with self._lock:
            if self._file.closed:
                return b""
            while True:
                raw = self._file.read(size)
                self.bytes_read += len(raw)
                if self._decoder is None:
                    data = raw
                    break
                text = self._decoder.decode(raw, final=not raw)
                self.replaced += text.count("\ufffd")
                data = text.encode("utf-8", "replace")
                if data or not raw:
                    break
        view = np.frombuffer(data, dtype=np.uint8)
        self.line_breaks += int(np.count_nonzero(view == self._line_break))
        self.quotes += int(np.count_nonzero(view == 0x22))
        self.tail = data[-self.TAIL :] if len(data) >= self.TAIL else (self.tail + data)[-self.TAIL :]
        if len(data) > size:
            data, self._pending = data[:size], data[size:]
        return data

    def close(self) -> None:
        with self._lock:
            self._file.close()
        super().close()


def first_bad_utf8(file: BinaryIO, cancel: CancelToken) -> tuple[int, int, bool]:
    """Find the first byte that is not valid UTF-8.

    Returns:
        Its byte offset (the file size if there is none), its 1-based line number, and
        whether genuine multi-byte UTF-8 came before it (then the file is UTF-8 with some
        damage, not in another encoding).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line, utf8_before = 0, 1, False
    while chunk := file.read(4 << 20):
        cancel.raise_if_cancelled()
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            good = chunk[: max(0, exc.start - pending)]
            return offset + len(good), line + count_lines(good), utf8_before or not good.isascii()
        utf8_before = utf8_before or not chunk.isascii()
        line += count_lines(chunk)
        offset += len(chunk)
    return offset, line, utf8_before


def count_lines(data: bytes) -> int:
    """Line breaks in ``data``: LF, CR and CRLF each count once."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
