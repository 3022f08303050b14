"""Check that a built book loads nothing from the network: every resource is in the folder.

    python tools/check_offline.py build/book/smoke
    python tools/check_offline.py build/book/smoke --browser /usr/bin/chromium-headless-shell

Every HTML page is read for what a browser *loads* when it opens it: ``<script src>``,
``<link href>`` with a loading ``rel`` (stylesheet, preload, icon, ...), ``<img src|srcset>``,
``<source>``, ``<iframe>``, ``<embed>``, ``<object data>``, ``<video|audio>``, and ``url()`` /
``@import`` in ``style`` attributes, ``<style>`` blocks and every stylesheet those reach (CSS
imports followed). A reference with a scheme or ``//host`` (other than ``data:``) is reported
as *external*; a relative one whose file is not in the folder as *missing*. Plain links
(``<a href>``, ``rel="next"``) load nothing and are not checked. Exit status 1 when anything
is reported.

What JavaScript requests at run time cannot be read off the files; ``--browser CHROMIUM``
also opens every page in a headless Chromium, the book served from ``127.0.0.1`` and every
other host unresolvable, and reports any request the page makes for another host (the
browser's own, such as update checks, are not the book's and are left out), any file the
book lacks, any page whose equations did not all render (MathJax output missing, or a "Math
Processing Error"), and lists the MathJax files fetched.
"""

from __future__ import annotations

import argparse
import functools
import html.parser
import http.server
import json
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

LOADING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "preconnect",
                "dns-prefetch", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest"}
SRC_TAGS = {"script", "img", "iframe", "embed", "source", "video", "audio", "track", "input"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


class _Resources(html.parser.HTMLParser):
    """The URLs an HTML page loads, and the CSS text it carries inline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and LOADING_RELS & set(a.get("rel", "").lower().split()):
            self.urls.append(a.get("href", ""))
        if tag in SRC_TAGS and a.get("src"):
            self.urls.append(a["src"])
        for key in ("srcset", "imagesrcset"):
            if a.get(key):
                self.urls += [part.split()[0] for part in a[key].split(",") if part.strip()]
        if tag == "object" and a.get("data"):
            self.urls.append(a["data"])
        if tag == "video" and a.get("poster"):
            self.urls.append(a["poster"])
        if a.get("style"):
            self.css.append(a["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def css_urls(text: str) -> list[str]:
    """The URLs a stylesheet's text loads: ``url(...)`` and ``@import "..."``."""
    return [next(g for g in m.groups() if g is not None)
            for pattern in (CSS_URL, CSS_IMPORT) for m in pattern.finditer(text)]


def is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme.lower() not in ("", "data")


def _check(url: str, base: Path, root: Path, where: str, problems: list[str],
           seen_css: set[Path]) -> None:
    url = url.strip()
    if not url or url.startswith("#") or url.lower().startswith("data:"):
        return
    if is_external(url):
        problems.append(f"external: {where} loads {url}")
        return
    path = (base / unquote(urlsplit(url).path)).resolve()
    if not path.is_file() or not path.is_relative_to(root):
        problems.append(f"missing: {where} loads {url}")
        return
    if path.suffix == ".css" and path not in seen_css:
        seen_css.add(path)
        name = path.relative_to(root).as_posix()
        for inner in css_urls(path.read_text(encoding="utf-8", errors="replace")):
            _check(inner, path.parent, root, name, problems, seen_css)


def scan(folder: Path) -> tuple[list[str], int]:
    """Problems (``external: ...`` / ``missing: ...``) in a built book, and how many pages."""
    root = folder.resolve()
    problems: list[str] = []
    seen_css: set[Path] = set()
    pages = book_pages(root)
    for page in pages:
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        where = page.relative_to(root).as_posix()
        for url in parser.urls + [u for text in parser.css for u in css_urls(text)]:
            _check(url, page.parent, root, where, problems, seen_css)
    return sorted(set(problems)), len(pages)


def book_pages(folder: Path) -> list[Path]:
    """The HTML pages of a book (not the theme's templates Sphinx copies into ``_static``)."""
    return sorted(p for p in folder.rglob("*.html")
                  if p.relative_to(folder).parts[0] not in ("_static", "_sources"))


class _Logged(http.server.SimpleHTTPRequestHandler):
    requested: list[tuple[str, int]] = []  # (path, status) of every request served

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        type(self).requested.append((self.path, int(code)))

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's name)
        pass


def browse(folder: Path, chromium: str, pages: list[Path]) -> tuple[list[str], list[str]]:
    """Open pages in headless Chromium, only ``127.0.0.1`` reachable: the problems (requests
    for another host, local files not found, equations not rendered) and the files served."""
    root = folder.resolve()
    _Logged.requested = []
    handler = functools.partial(_Logged, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems: list[str] = []
    fetched: set[str] = set()
    try:
        for page in pages:
            _Logged.requested = []
            url = f"http://127.0.0.1:{server.server_port}/{page.relative_to(root).as_posix()}"
            with tempfile.TemporaryDirectory() as tmp:
                netlog = Path(tmp) / "net.json"
                dom = subprocess.run(
                    [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                     # the browser's own services (updates, sign-in, spelling dictionaries,
                     # network time): fewer requests, although newer Chromiums make some
                     # anyway, which is why _hosts only counts what the page asked for
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-default-apps",
                     "--disable-spell-checking",
                     "--disable-features=NetworkTimeServiceQuerying",
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                     "--no-proxy-server", f"--user-data-dir={tmp}/profile",
                     f"--log-net-log={netlog}", "--virtual-time-budget=20000", "--dump-dom",
                     url], capture_output=True, text=True, timeout=120).stdout
                hosts = _hosts(netlog, f"http://127.0.0.1:{server.server_port}")
            name = page.relative_to(root).as_posix()
            problems += [f"request: {name} asked for {h}" for h in sorted(hosts)]
            # Chromium asks for /favicon.ico by itself when a page names no icon; the book
            # names none, and a missing tab icon loads nothing from elsewhere
            problems += [f"missing: {name} asked for {path} ({code})"
                         for path, code in sorted(set(_Logged.requested))
                         if code >= 400 and path != "/favicon.ico"]
            fetched |= {path.split("?")[0] for path, code in _Logged.requested if code < 400}
            expected = page.read_text(encoding="utf-8").count('class="math notranslate')
            rendered = len(re.findall(r'id="MathJax-Element-\d+-Frame"', dom)) + dom.count(
                "<mjx-container")
            if rendered < expected:
                problems.append(f"math: {name} rendered {rendered} of {expected} equations")
            if "Math Processing Error" in dom:
                problems.append(f"math: {name} shows a Math Processing Error")
    finally:
        server.shutdown()
        server.server_close()
    return problems, sorted(fetched)


def _hosts(netlog: Path, origin: str) -> set[str]:
    """Hosts other than 127.0.0.1 that the page (``origin``) started a URL request for.

    Chromium's own services (component updates, account checks) request other hosts too,
    with no page as their initiator: those are the browser's, not the book's, and left out.
    """
    text = netlog.read_text(errors="replace") if netlog.exists() else ""
    try:
        events = json.loads(text).get("events", [])
        params = [event.get("params") or {} for event in events]
    except json.JSONDecodeError:  # a log cut short still holds its flat params objects
        params = []
        for found in re.findall(r'\{[^{}]*"url":"[^"]+"[^{}]*\}', text):
            try:
                params.append(json.loads(found))
            except json.JSONDecodeError:
                continue
    hosts = set()
    for param in params:
        url = param.get("url", "")
        host = urlsplit(url).hostname
        if (param.get("initiator") == origin and host and host != "127.0.0.1"
                and urlsplit(url).scheme in ("http", "https", "ws", "wss")):
            hosts.add(host)
    return hosts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a built book, e.g. build/book/smoke")
    parser.add_argument("--browser", help="also open the pages with math in this Chromium")
    args = parser.parse_args()
    if not (args.folder / "index.html").is_file():
        print(f"{args.folder} has no index.html: build the book first")
        return 1
    args.folder = args.folder.resolve()
    problems, count = scan(args.folder)
    print(f"{count} pages scanned: {len(problems)} loaded resources outside the folder or "
          "missing")
    if args.browser:
        pages = book_pages(args.folder)
        found, fetched = browse(args.folder, args.browser, pages)
        problems += found
        mathjax = [f for f in fetched if "/mathjax/" in f]
        print(f"{len(pages)} pages opened in {args.browser}: {len(found)} problems; "
              f"MathJax fetched {len(mathjax)} files:")
        print("\n".join(f"  {f}" for f in mathjax))
    print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
