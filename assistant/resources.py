"""Locate the data directories (templates, FAQ corpus, question lists, samples).

In a source checkout they sit at the top of the repository, where staff edit them;
in an installed wheel they are carried inside the package under ``_data``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_DATA = _PACKAGE_DIR / "_data"
_CHECKOUT_ROOT = _PACKAGE_DIR.parent

_CHECKOUT_NAMES = {
    "templates": "templates",
    "faq": "faq",
    "questionnaires": "questionnaires",
    "samples": "mailbox/samples",
}


def data_dir(name: str) -> Path:
    """Return the directory holding the data set ``name`` (templates, faq, questionnaires, samples)."""
    if name not in _CHECKOUT_NAMES:
        raise KeyError(f"unknown data directory {name!r}")
    installed = _INSTALLED_DATA / name
    if installed.is_dir():
        return installed
    checkout = _CHECKOUT_ROOT / _CHECKOUT_NAMES[name]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"data directory {name!r} not found (looked in {installed} and {checkout}); "
        "reinstall tnl-assistant or run from a complete checkout"
    )
