"""The application's evidence annex: every piece of evidence the department's accounts cite gets a reference
code (the item and its number there, ``1.1-03``), which the text cites and the annex lists with its title, its
unit and either a link OPDC's assessors can open or "shown at the site visit".

A link is public when it is an http(s) address on a host the internet can resolve: not an IP address of a
private, loopback or link-local network, not a one-word host name (``intranet``, ``sharepoint``), not a name
under a suffix kept for private networks (``.local``, ``.internal``...). A file, a confidential piece of evidence
and an intranet link are shown at the site visit; an intranet link is also flagged, so that the committee can
replace it with a public copy before it builds the application.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd

# suffixes of names that resolve only inside an organisation (RFC 6762, RFC 8375, ICANN's .internal, common use)
PRIVATE_SUFFIXES = (".local", ".localdomain", ".lan", ".internal", ".intranet", ".corp", ".home", ".home.arpa",
                    ".localhost", ".test", ".invalid", ".example")


def is_public(url: str | None) -> bool:
    """Whether ``url`` is an address anyone on the internet can open (see the module's note)."""
    if not isinstance(url, str) or not url.strip():
        return False
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host and not host.endswith(PRIVATE_SUFFIXES)
    return address.is_global


@dataclass(frozen=True)
class AnnexEntry:
    code: str  # e.g. "1.1-03"
    item: str
    evidence_id: int
    title: str
    unit: str  # the unit's code and name
    url: str | None  # the public link to print, if there is one
    intranet: bool  # a link that only the department's network can open


def _title(row) -> str:
    url = row.url if isinstance(row.url, str) else ""
    name = row.filename if isinstance(row.filename, str) else ""
    return name if name and name != url else url


def evidence_annex(evidence: pd.DataFrame, citations: Mapping[str, Iterable[int]],
                   items: Iterable[str]) -> list[AnnexEntry]:
    """The annex in the order of the criteria's ``items``: per item, the evidence its account cites, numbered from
    01. ``evidence`` has a row per cited piece (id, code, unit, filename, url, confidential). A confidential
    piece never shows its address (it may carry an access token), nor its title when that is the address."""
    rows = {int(row.id): row for row in evidence.itertuples()}
    entries = []
    for item in items:
        seen: list[int] = []
        for evidence_id in citations.get(item, ()):
            if evidence_id in rows and evidence_id not in seen:
                seen.append(evidence_id)
        for number, evidence_id in enumerate(seen, start=1):
            row = rows[evidence_id]
            url = row.url if isinstance(row.url, str) and row.url else None
            confidential = bool(row.confidential)
            title = _title(row)
            if confidential and title == url:
                title = ""
            entries.append(AnnexEntry(
                code=f"{item}-{number:02d}", item=item, evidence_id=evidence_id, title=title,
                unit=" ".join(part for part in (row.code, getattr(row, "unit", "")) if isinstance(part, str) and part),
                url=url if url and not confidential and is_public(url) else None,
                intranet=bool(url) and not is_public(url)))
    return entries


def codes_by_item(entries: Iterable[AnnexEntry]) -> dict[str, list[str]]:
    """Item -> the codes of the evidence its account cites, in order."""
    found: dict[str, list[str]] = {}
    for entry in entries:
        found.setdefault(entry.item, []).append(entry.code)
    return found
