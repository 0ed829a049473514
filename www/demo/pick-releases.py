#!/usr/bin/env python3
"""Picks the demo site's wire releases from the shared press-release corpus, reproducibly.

Every STRIDE-th line of the corpus (STRIDE = corpus size // COUNT), starting at the first, until
COUNT releases are picked. The same corpus always gives the same file, byte for byte.

    python3 www/demo/pick-releases.py [CORPUS] [OUT]

CORPUS defaults to shared/corpus/press-releases.jsonl.gz beside the checkout (CC0 1.0,
Newsworthyai/press-release-archive); OUT to www/demo/releases/wire-releases.jsonl.
"""

import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

COUNT = 300
FIELDS = ("id", "url", "title", "date", "category", "lang", "body")
HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[2] / "shared" / "corpus" / "press-releases.jsonl.gz"
DEFAULT_OUT = HERE / "releases" / "wire-releases.jsonl"


def slug(text):
    """A URL path segment from a title: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "release"


def site_url(release):
    """The release's url if it is site-relative, else one made from its date and title."""
    url = release.get("url") or ""
    if url.startswith("/") and not url.startswith("//"):
        return url
    year = (release.get("date") or "undated")[:4]
    return f"/releases/{year}/{slug(release.get('title') or release['id'])}"


def main(corpus, out):
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        lines = f.readlines()
    stride = len(lines) // COUNT
    if stride == 0:
        sys.exit(f"{corpus} holds {len(lines)} releases, fewer than the {COUNT} to pick")
    picked = []
    for line in lines[::stride][:COUNT]:
        release = json.loads(line)
        release["url"] = site_url(release)
        picked.append({field: release.get(field) for field in FIELDS})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for release in picked:
            f.write(json.dumps(release, ensure_ascii=False) + "\n")
    print(f"picked {len(picked)} of {len(lines)} releases (every {stride}th) into {out}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]) if args else DEFAULT_CORPUS, Path(args[1]) if len(args) > 1 else DEFAULT_OUT)
