"""Errors a user can cause; the CLI and the chat show their message and nothing else."""


class UserError(Exception):
    """A problem the user can fix (bad file, empty question, missing index); message in plain words."""


class BadFileError(UserError):
    """A file that cannot be turned into clauses; the message names the file and why."""


class IndexMissingError(UserError):
    """No usable index where one was expected."""


class IndexMismatchError(UserError):
    """The index was built with another embedder than the one configured."""


class IndexUnreadableError(UserError):
    """An index folder exists but cannot be used (damaged, incomplete, older format): rebuild it."""
