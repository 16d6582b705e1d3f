"""Pages: one module per page kind, each ``pages(site) -> {path: bytes or Kept}``, in the order
the build makes them (``KINDS``). ``generate.Site`` holds what they share and is their one door to
the incremental state (``memo``, ``made``, ``prepared``); ``markup`` is the Markdown and HTML they write."""

from . import home, issue, item, listings, notices, search, statistics, supervision

KINDS = (item, issue, listings, home, search, statistics, notices, supervision)
