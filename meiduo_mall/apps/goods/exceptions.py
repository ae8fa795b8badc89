class CategoryNotFound(Exception):
    """No goods category has that id."""


class PageOutOfRange(Exception):
    """The requested list page lies beyond the last one."""
