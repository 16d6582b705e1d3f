"""Where kanwu keeps what it builds.

For work on a checkout (``kanwu build``, ``kanwu pdf``, previews) that is the checkout's
``build/``: caches the checkout can lose. A publish keeps its releases, the shared store, the
records of what each release was built from and the caches that make the next publish
incremental in a *state directory* outside any checkout (``--state``, or ``publish.state`` in
content/kanwu.yml, or ``<site root>/.kanwu``): a CI runner that cleans its workspace
(``git clean -ffdx``, actions/checkout) then loses nothing the live site or a rollback needs.

    <state>/<audience>/releases/<id>/   one complete built site per release
    <state>/<audience>/store/           year folders the releases share
    <state>/<audience>/state.pickle     what the live release was built from
    <state>/<audience>/docs/            the generated Markdown of the last release
    <state>/cache/, <state>/pdf-cache/  parsed files, rendered bodies, PDFs
"""

from __future__ import annotations

import os

STATE_NAME = ".kanwu"  # under the site root, when no state directory is named
_chosen: dict[str, str] = {}  # repository root -> state directory, for this command


def use(root: str, state: str | None) -> None:
    """Keep what this command builds for ``root`` under ``state`` (None: the checkout's build/)."""
    key = os.path.realpath(root)
    if state:
        _chosen[key] = os.path.abspath(state)
    else:
        _chosen.pop(key, None)


def reset() -> None:
    """Forget every choice (each command makes its own)."""
    _chosen.clear()


def base(root: str) -> str:
    """The folder holding releases, records and caches for ``root``."""
    return _chosen.get(os.path.realpath(root)) or os.path.join(root, "build")


def path(root: str, *parts: str) -> str:
    return os.path.join(base(root), *parts)


def for_site(root: str, site_root: str | None, state: str | None, configured: str | None = None) -> str | None:
    """The state directory a publish to ``site_root`` uses: ``state`` if given, else the
    configured one, else ``<site_root>/.kanwu``; None for a build into the checkout's site/."""
    if state:
        return state
    if configured:
        return configured
    if site_root:
        return os.path.join(site_root, STATE_NAME)
    return None
