# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where a visitor came from: the attribution fields a browser sends, cleaned, and their channel.

Channel precedence, strongest first (the first rule that applies wins):

1. ``ambassador``  an employee's referral code (``?ref=``) is present; source = the code
2. ``embed``       the visit came through the job widget on another site; source = that host
3. ``share``       the visitor followed a shared link (``?s=linkedin``); source = the share channel
4. ``campaign``    any ``utm_*`` parameter; source = utm_source (else medium, else campaign)
5. ``referral``    an external referrer; source = the referrer's host
6. ``career_site`` the referrer is our own site (navigation inside the career site); source = "career_site"
7. ``direct``      nothing at all; source = "direct"

First touch: ``static/js/journey.js`` keeps the attribution of the page a visitor landed on in
``sessionStorage`` (never a cookie, never sent to the server on its own) and sends it with every
later event of the same tab, so an ``apply_start`` two pages later still carries the campaign,
share or referrer that brought the visitor in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app.models import Channel

UTM_FIELDS = ("source", "medium", "campaign", "term", "content")
UTM_MAX_LENGTH = 120
HOST_MAX_LENGTH = 255
SHARE_CHANNELS = frozenset({"linkedin", "x", "facebook", "whatsapp", "email", "copy"})
AMBASSADOR_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Attribution:
    """The cleaned source of a visit; every field is optional, ``own_site`` marks internal navigation."""

    utm: Mapping[str, str] = field(default_factory=dict)
    referrer_host: str | None = None
    embed_host: str | None = None
    share_channel: str | None = None
    ambassador_code: str | None = None
    own_site: bool = False

    @property
    def channel(self) -> Channel:
        """The coarse channel, by the precedence documented at the top of this module."""
        if self.ambassador_code:
            return Channel.AMBASSADOR
        if self.embed_host:
            return Channel.EMBED
        if self.share_channel:
            return Channel.SHARE
        if self.utm:
            return Channel.CAMPAIGN
        if self.referrer_host:
            return Channel.REFERRAL
        if self.own_site:
            return Channel.CAREER_SITE
        return Channel.DIRECT

    @property
    def source(self) -> str:
        """The most specific label of the channel (a host, a utm_source, a share channel, a code)."""
        channel = self.channel
        if channel is Channel.AMBASSADOR:
            return self.ambassador_code or ""
        if channel is Channel.EMBED:
            return self.embed_host or ""
        if channel is Channel.SHARE:
            return self.share_channel or ""
        if channel is Channel.CAMPAIGN:
            return self.utm.get("source") or self.utm.get("medium") or self.utm.get("campaign") or ""
        if channel is Channel.REFERRAL:
            return self.referrer_host or ""
        return channel.value


def clean_text(value: str | None, max_length: int = UTM_MAX_LENGTH) -> str | None:
    """Trimmed text cut to ``max_length``; None when empty."""
    if value is None:
        return None
    value = value.strip()[:max_length].strip()
    return value or None


def clean_host(value: str | None) -> str | None:
    """A lowercase hostname (labels of letters, digits and inner hyphens), else None."""
    if not value:
        return None
    host = value.strip().lower().rstrip(".")
    if not host or len(host) > HOST_MAX_LENGTH:
        return None
    if host.startswith("[") and host.endswith("]"):
        return None  # an IPv6 literal is not a site name worth reporting
    if all(HOST_LABEL.match(label) for label in host.split(".")):
        return host
    return None


def host_of_url(url: str | None) -> str | None:
    """The lowercase hostname of an absolute http(s) URL, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    return clean_host(hostname)


def path_of_url(url: str | None, max_length: int = 255) -> str | None:
    """The path of a URL without its query or fragment (which may hold personal data)."""
    if not url:
        return None
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    return path[:max_length] or None


def parse_attribution(
    *,
    utm: Mapping[str, str | None] | None = None,
    referrer: str | None = None,
    embed_host: str | None = None,
    share_channel: str | None = None,
    ambassador_code: str | None = None,
    own_hosts: Iterable[str] = (),
) -> Attribution:
    """Clean what a browser reported; unusable values are dropped, never guessed at."""
    cleaned_utm: dict[str, str] = {}
    for name in UTM_FIELDS:
        value = clean_text((utm or {}).get(name))
        if value:
            cleaned_utm[name] = value
    referrer_host = host_of_url(referrer)
    own = {host.lower() for host in own_hosts if host}
    own_site = referrer_host is not None and referrer_host in own
    channel_name = (share_channel or "").strip().lower()
    code = (ambassador_code or "").strip()
    return Attribution(
        utm=cleaned_utm,
        referrer_host=None if own_site else referrer_host,
        embed_host=clean_host(embed_host),
        share_channel=channel_name if channel_name in SHARE_CHANNELS else None,
        ambassador_code=code if AMBASSADOR_CODE.match(code) else None,
        own_site=own_site,
    )
