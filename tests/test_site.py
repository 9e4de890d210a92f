"""The documentation site, opened in a real headless browser (issue 14, "A documentation site").

The site (``docs/``, Sphinx + MyST + myst-nb) is built once per session with warnings as errors, or
taken from ``WDT_SITE_DIR`` when CI has built it already, served over ``http://127.0.0.1`` and opened
in Debian's Chromium through Selenium and the system ``chromedriver`` (no driver download). Checked:

- the math rendered: on the theory and derivations pages MathJax typeset every math element of the
  HTML (one ``mjx-container`` each, no ``merror``), and the visible text has no raw ``$$``, ``\\frac``
  or ``\\lambda`` left;
- every internal link on every page answers 200 and every ``#anchor`` exists on its target page;
- every gallery image of ``figures/GALLERY.md`` is on the gallery page and loaded (``naturalWidth > 0``);
- every notebook in ``docs/notebooks/`` has its page, linked from the notebooks page;
- the API page is autodoc's output rendered (no raw ``.. py:`` directives or ``:func:`` roles);
- a screenshot of a derivation (taken by the math check) is kept as the test's artefact (under
  ``WDT_ARTEFACTS``, else pytest's temporary directory; the path is printed).

Without Chromium, chromedriver, Selenium or (when it must build) the ``docs`` extra the tests skip and
say why, except under ``CI=true``, where they fail: CI must never skip them silently.
"""

from __future__ import annotations

import functools
import html.parser
import importlib.util
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BUILD_COMMAND = [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-b", "html"]
# the docs extra's modules (sphinx-mathjax-offline's module name has hyphens)
DOCS_MODULES = ("sphinx", "myst_parser", "myst_nb", "furo", "sphinx-mathjax-offline")
# how long a page may take to load and typeset (MathJax on the derivations page, ~800 formulas,
# takes a few seconds on a loaded 2-core machine)
PAGE_TIMEOUT_S = 120
# text that must not be visible once MathJax has run: raw display delimiters and TeX commands
RAW_TEX = ("$$", "\\frac", "\\tfrac", "\\lambda", "\\alpha", "\\eta", "\\mathrm", "\\sum", "\\left")
# an inline formula left raw: $…$ holding a TeX command, a sub- or a superscript
RAW_INLINE = re.compile(r"\$[^$\n]*[\\^_][^$\n]*\$")
# the notebooks' pages, whose code cells may show TeX as code (left out of the visible-text check)
NOTEBOOK_PAGES = sorted(f"notebooks/{p.stem}.html" for p in (DOCS / "notebooks").glob("[!_]*.ipynb"))


def _unavailable(reason: str) -> None:
    """Skip with the reason, or fail under ``CI=true`` (CI must run these tests)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the site test cannot run: {reason}")
    pytest.skip(reason)


def _missing_browser() -> list[str]:
    missing = [
        f"{p} (apt-get install chromium chromium-driver)" for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()
    ]
    if importlib.util.find_spec("selenium") is None:
        missing.append("selenium (pip install -e '.[docs]')")
    return missing


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: ``WDT_SITE_DIR`` when set (CI builds it first), else, with ``WDT_BUILD_SITE=1``,
    built here once with ``-W`` (about a minute: kept out of a plain ``python -m pytest``, whose
    budget it would break; without either the tests skip, and under ``CI=true`` they fail)."""
    given = os.environ.get("WDT_SITE_DIR")
    if given:
        site = Path(given)
        assert (site / "index.html").is_file(), f"WDT_SITE_DIR={given} has no index.html"
        return site
    if os.environ.get("WDT_BUILD_SITE") != "1":
        _unavailable(
            "no built site: build it (python -m sphinx -E -W --keep-going -b html docs docs/_build/html)"
            " and set WDT_SITE_DIR=docs/_build/html, or set WDT_BUILD_SITE=1 to build it here"
        )
    missing = [m for m in DOCS_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        _unavailable(
            f"the docs extra is not installed (missing {', '.join(missing)}): pip install -e '.[docs]'"
        )
    site = tmp_path_factory.mktemp("site") / "html"
    # the notebooks' executions are cached where the documented command keeps them (keyed by the
    # notebook's code), so a developer who built the site once does not wait for them again
    cache = ["-D", f"nb_execution_cache_path={DOCS / '_build' / '.jupyter_cache'}"]
    done = subprocess.run(
        [*BUILD_COMMAND, *cache, str(DOCS), str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, f"the site build failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # the browser drops connections it no longer needs when it navigates away: not an error
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The site served over HTTP on a free port of 127.0.0.1 (not file://, as readers see it)."""
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian Chromium through the system chromedriver, with a fresh profile."""
    missing = _missing_browser()
    if missing:
        _unavailable(f"no browser to open the site with: missing {', '.join(missing)}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    driver.set_script_timeout(PAGE_TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()


def _open_typeset(browser: Any, url: str) -> None:
    """Load ``url`` and wait until MathJax has typeset the page; fail when MathJax never loaded."""
    browser.get(url)
    state = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const start = Date.now();
        (function poll() {
          const mj = window.MathJax;
          if (mj && mj.startup && mj.startup.promise) {
            mj.startup.promise.then(() => done('typeset'), (e) => done('MathJax failed: ' + e));
          } else if (Date.now() - start > 20000) {
            done('MathJax never loaded (is mathjax_path served by the site?)');
          } else {
            setTimeout(poll, 100);
          }
        })();
        """
    )
    assert state == "typeset", f"{url}: {state}"


# the text a reader sees, less code (a notebook's code cells, inline code) and the typeset math
_VISIBLE_TEXT = """
const body = document.body.cloneNode(true);
body.querySelectorAll('pre, code, mjx-container, script, style').forEach((e) => e.remove());
return body.innerText;
"""


def _math_in_html(path: Path) -> int:
    """The math elements Sphinx wrote into a page: inline ``span.math`` and display ``div.math``."""
    text = path.read_text(encoding="utf-8")
    return len(re.findall(r'<(?:span|div) class="math[ "]', text))


def _screenshot_derivation(browser: Any, tmp_path: Path) -> None:
    """The test's artefact: a derivation (``l2.eigen``) as a reader sees it, after MathJax ran."""
    # instant: the theme scrolls smoothly, and a screenshot taken mid-animation shows the page's top
    scrolled = browser.execute_script(
        "document.getElementById('l2-eigen').scrollIntoView({behavior: 'instant', block: 'start'});"
        "return window.scrollY;"
    )
    assert scrolled > 0, "the derivation l2.eigen is not below the page's top: nothing was scrolled"
    artefacts = Path(os.environ.get("WDT_ARTEFACTS") or tmp_path)
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "site-derivation-l2-eigen.png"
    assert browser.save_screenshot(str(shot)), f"the screenshot {shot} was not written"
    print(f"site screenshot: {shot}")
    from PIL import Image

    with Image.open(shot) as image:
        width, height = image.size
        lo, hi = (int(v) for v in image.convert("L").getextrema())  # type: ignore[arg-type]
    assert width >= 800 and height >= 600, f"screenshot {shot} is {width}×{height}"
    assert hi - lo > 128, f"screenshot {shot} is blank (grey levels {lo}..{hi})"


# the pages written from the project's Markdown and notebooks (each must show no raw TeX), and how
# many formulas each must at least hold (0: a page with no mathematics, where MathJax is not loaded)
MATH_PAGES = {
    "derivations.html": 20,
    "reference.html": 20,
    **{page: 5 for page in NOTEBOOK_PAGES},
    **{page: 0 for page in ("index.html", "claims.html", "conventions.html", "gallery.html", "api.html")},
}


@pytest.mark.parametrize("page", list(MATH_PAGES))
def test_math_is_rendered(browser: Any, base_url: str, site_dir: Path, page: str, tmp_path: Path) -> None:
    least = MATH_PAGES[page]
    expected = _math_in_html(site_dir / page)
    if least == 0 and expected == 0:  # no formula here: the raw-TeX check alone, without MathJax
        browser.get(base_url + page)
        visible = browser.execute_script(_VISIBLE_TEXT)
        raw = {tex: visible.count(tex) for tex in RAW_TEX if tex in visible}
        raw.update({m: 1 for m in RAW_INLINE.findall(visible)[:5]})
        assert not raw, f"{page}: raw TeX visible on a page without typeset math: {raw}"
        return
    _open_typeset(browser, base_url + page)
    rendered = browser.execute_script("return document.querySelectorAll('mjx-container').length")
    # MathJax's own record of each formula: an error box (merror), or an undefined macro, which its
    # noundefined package shows as red text instead of failing, means the TeX did not render
    failed = browser.execute_script(
        """
        const bad = [];
        for (const item of MathJax.startup.document.math) {
          if (/<merror|mathcolor="red"/.test(MathJax.startup.toMML(item.root))) bad.push(item.math);
        }
        return bad;
        """
    )
    # the text a reader sees, less code (a notebook's code cells, inline code) and the typeset math
    visible = browser.execute_script(_VISIBLE_TEXT)
    raw = {tex: visible.count(tex) for tex in RAW_TEX if tex in visible}
    raw.update({m: 1 for m in RAW_INLINE.findall(visible)[:5]})
    assert not raw, f"{page}: raw TeX left visible after MathJax ran: {raw}"
    assert not failed, f"{page}: MathJax could not typeset {len(failed)} formulas: {failed[:5]}"
    assert expected > least, f"{page}: only {expected} math elements in the HTML; is dollarmath on?"
    # every math element is typeset, one container each (MathJax may add none of its own elsewhere)
    assert rendered >= expected, f"{page}: {rendered} rendered formulas for {expected} math elements"
    if page == "derivations.html":
        _screenshot_derivation(browser, tmp_path)


class _Page(html.parser.HTMLParser):
    """The ids, anchors' hrefs and other same-site resources of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value for name, value in attrs if value is not None}
        if "id" in found:
            self.ids.add(found["id"])
        if tag == "a" and "name" in found:
            self.ids.add(found["name"])
        if tag == "a" and "href" in found:
            self.hrefs.append(found["href"])
        elif tag in ("img", "script") and "src" in found:
            self.resources.append(found["src"])
        elif tag == "link" and "href" in found:
            self.resources.append(found["href"])


def _get(url: str) -> tuple[int, str]:
    """HTTP status and body (text for HTML) of ``url`` as the site's server answers it."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            body = answer.read()
            return int(answer.status), body.decode("utf-8") if url.endswith(".html") else ""
    except urllib.error.HTTPError as error:
        return int(error.code), ""


def test_internal_links_and_anchors_resolve(base_url: str, site_dir: Path) -> None:
    """Every page of the site (each ``*.html`` file, and every page reached from the index), fetched
    from the server: each same-host ``<a href>``, image, script and stylesheet answers 200, and each
    ``#anchor`` of a link is an id (or ``<a name>``) on its target page."""
    host = urllib.parse.urlsplit(base_url).netloc
    queue = [base_url + "index.html"]
    queue += [base_url + p.relative_to(site_dir).as_posix() for p in sorted(site_dir.rglob("*.html"))]
    pages: dict[str, _Page] = {}
    statuses: dict[str, int] = {}
    links: dict[str, set[str]] = {}  # a link's absolute URL (with its fragment) -> the pages that have it
    while queue:
        page = queue.pop(0)
        if page in pages:
            continue
        statuses[page], text = _get(page)
        pages[page] = parsed = _Page()
        parsed.feed(text)
        for ref, is_link in [(h, True) for h in parsed.hrefs] + [(r, False) for r in parsed.resources]:
            url = urllib.parse.urljoin(page, ref)
            parts = urllib.parse.urlsplit(url)
            if parts.netloc != host:
                continue
            links.setdefault(url if is_link else parts._replace(fragment="").geturl(), set()).add(page)
            target = parts._replace(query="", fragment="").geturl()
            if target.endswith(".html") and target not in pages:
                queue.append(target)
    assert len(pages) >= 8, f"only {len(pages)} pages found: {sorted(pages)}"

    broken: list[str] = []
    for url, sources in sorted(links.items()):
        parts = urllib.parse.urlsplit(url)
        target = parts._replace(query="", fragment="").geturl()
        if target not in statuses:
            statuses[target] = _get(target)[0]
        where = ", ".join(sorted(s.removeprefix(base_url) for s in sources)[:3])
        if statuses[target] != 200:
            broken.append(f"{url} -> HTTP {statuses[target]} (linked from {where})")
        elif parts.fragment and target in pages:
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment not in pages[target].ids:
                broken.append(
                    f"{url}: no id {fragment!r} on {target.removeprefix(base_url)} (linked from {where})"
                )
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])
    # the derivations page's table links each theorem to its section, and the claims page its texts
    assert any("derivations.html#" in u for u in links), "no anchor link into the derivations page"
    assert any("claims.html#" in u for u in links), "no anchor link into the claims page"


def test_gallery_images_load(browser: Any, base_url: str) -> None:
    shown = re.findall(
        r"!\[[^\]]*\]\(gallery/([^)\s]+)\)", (ROOT / "figures" / "GALLERY.md").read_text("utf-8")
    )
    assert shown, "figures/GALLERY.md shows no images"
    browser.get(base_url + "gallery.html")
    images = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const imgs = [...document.querySelectorAll('article img')];
        Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; })))
          .then(() => done(imgs.map(i => [i.getAttribute('src'), i.naturalWidth])));
        """
    )
    names = {Path(src).name for src, _ in images}
    assert set(shown) <= names, f"gallery images not on the page: {sorted(set(shown) - names)}"
    unloaded = [src for src, width in images if width <= 0]
    assert not unloaded, f"gallery images that did not load (naturalWidth 0): {unloaded}"


def test_every_notebook_has_a_page(browser: Any, base_url: str, site_dir: Path) -> None:
    notebooks = sorted(p.stem for p in (DOCS / "notebooks").glob("*.ipynb") if not p.name.startswith("_"))
    missing = [n for n in notebooks if not (site_dir / "notebooks" / f"{n}.html").is_file()]
    assert not missing, f"notebooks without a page in the site: {missing}"
    browser.get(base_url + "notebooks.html")
    linked = browser.execute_script(
        "return [...document.querySelectorAll('article a[href]')].map(a => a.href)"
    )
    unlinked = [
        n for n in notebooks if not any(h.split("#")[0].endswith(f"notebooks/{n}.html") for h in linked)
    ]
    assert not unlinked, f"notebooks not linked from the notebooks page: {unlinked}"


# what autodoc's reST looks like when a Markdown parser reads it instead of rendering it
RAW_REST = re.compile(r"^\.\. [\w:-]+::|:(?:class|func|meth|mod|attr|exc|py:\w+):`?", re.MULTILINE)
# one documented object of each package the API page covers (an id is a rendered description)
API_OBJECTS = (
    "theory.Quadratic",
    "theory.catalogue.Theorem",
    "theory.checks.CheckResult",
    "theory.testing.property_check",
    "theory.empirical.require_torch",
    "proofs.derivation",
    "figures.get_figure",
)


def test_api_reference_is_rendered(browser: Any, base_url: str) -> None:
    """The API page shows autodoc's output rendered: object descriptions, no raw directives or roles."""
    browser.get(base_url + "api.html")
    visible = browser.execute_script("return document.querySelector('article').innerText")
    raw = sorted(set(RAW_REST.findall(visible)))
    assert not raw, f"api.html shows unrendered reST: {raw[:10]}"
    missing = browser.execute_script(
        "return arguments[0].filter(id => !document.getElementById(id))", list(API_OBJECTS)
    )
    assert not missing, f"api.html does not document {missing}"


def test_unavailable_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI must never skip the site test silently: with CI=true a missing browser is a failure."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        _unavailable("no chromium")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _unavailable("no chromium")


def test_build_command_is_documented() -> None:
    """The one command in docs/index.md and docs/conf.py is the one this test builds with."""
    command = "python -m sphinx -E -W --keep-going -b html docs docs/_build/html"
    for page in (DOCS / "index.md", DOCS / "conf.py"):
        assert command in page.read_text("utf-8"), f"{page} does not give the build command {command!r}"
