"""The exceptions photofinder raises.

Library code raises these with a message a user can act on; only the CLI and the
GUI decide how to show them (a one-line message and an exit code, or a dialog).
"""

from __future__ import annotations


class PhotofinderError(Exception):
    """Base class: the message is shown to the user as is, in one line."""

    exit_code = 1


class UsageError(PhotofinderError):
    """Bad arguments: a folder that does not exist, an unknown option value."""

    exit_code = 2


class IndexMissingError(PhotofinderError):
    """There is no index where one was expected."""

    exit_code = 3


class IndexFormatError(PhotofinderError):
    """The index is damaged or of a format version this code cannot read."""

    exit_code = 4


class ModelUnavailableError(PhotofinderError):
    """Model weights or word vectors are missing and cannot be fetched."""

    exit_code = 5


class QueryError(PhotofinderError):
    """The query holds nothing to search for (empty, punctuation only)."""

    exit_code = 2


class WriteError(PhotofinderError):
    """A file could not be written (disk full, no permission, read-only disk); the
    file that was there before is left as it was."""


class PhotoError(PhotofinderError):
    """One photo cannot be read. Indexing skips it and goes on."""
