"""Browser tests of broker's web page (SPEC §11), in Debian's headless Chromium.

Each run starts the real `broker serve` on a temporary copy of the default glossary, with an
admin token, on a free loopback port, and drives the page with selenium (one test starts a
second server that needs a read token). The API is called
directly with urllib to check the page against it (and to change a concept behind the page's
back). A PNG of each screen goes to target/screenshots/.

Run: python3 tests/browser/test_web.py [--binary target/debug/broker]   (or via .ci/browser.sh)
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.path.join(ROOT, "target", "screenshots")
TOKEN = "browser-test-token"
READ_TOKEN = "browser-read-token"
WAIT = 15  # seconds; only a broken page ever waits this long

BRIEF = (
    "Q3 plan: we cut p99 latency by 40% and moved the checkout API behind a feature flag.\n"
    "Marketing will grow the sales pipeline with a nurture campaign and lift CTR on the "
    "retargeting audience; the CI pipeline stays green.\n"
    "The TPM brings the plan to the QBR."
)

HOSTILE = (
    'Our latency <img src=x onerror="window.__pwned=1"> is bad. '
    "</textarea><script>window.__pwned=2</script> "
    '<svg onload="window.__pwned=3"></svg> and the CTR & "quotes".'
)


# ---- the server -------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real broker binary, on a temporary glossary directory; stopped by stop()."""

    def __init__(self, binary, read_token=None):
        self.read_token = read_token
        self.dir = tempfile.mkdtemp(prefix="broker-web-")
        self.glossary = os.path.join(self.dir, "glossary")
        shutil.copytree(os.path.join(ROOT, "glossary"), self.glossary)
        self.binary = binary
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        try:
            self.proc = subprocess.Popen(
                [binary, "serve", "--glossary", self.glossary, "--admin-token", TOKEN,
                 "--addr", f"127.0.0.1:{self.port}"]
                + (["--read-token", read_token] if read_token else []),
                stdout=self.log, stderr=subprocess.STDOUT,
            )
        except OSError:
            self.log.close()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        deadline = time.time() + 30
        while True:
            try:
                self.get("/healthz")
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("broker serve did not start; see " + self.log.name)
                time.sleep(0.1)

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.read_token and not (headers and "Authorization" in headers):
            req.add_header("Authorization", "Bearer " + self.read_token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null"), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null"), dict(e.headers)

    def get(self, path):
        return self.request("GET", path)[1]

    def translate(self, text, reader, fmt="inline"):
        status, body, _ = self.request(
            "POST", "/v1/translate", {"text": text, "audience": reader, "format": fmt})
        assert status == 200, body
        return body

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---- the browser --------------------------------------------------------------------------


def browser(profile):
    opts = Options()
    opts.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--no-default-browser-check",
              "--disable-extensions", f"--user-data-dir={profile}",
              "--window-size=1280,1000"]:
        opts.add_argument(a)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def shot(d, name):
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name + ".png")
    d.save_screenshot(path)
    return path


def wait(d, cond, what):
    try:
        return WebDriverWait(d, WAIT, poll_frequency=0.1).until(cond)
    except Exception as e:
        raise AssertionError("timed out waiting for " + what) from e


def marks(d):
    return d.find_elements(By.CSS_SELECTOR, "#result [data-concept]")


def paste(d, text):
    """Puts `text` in the brief as a paste would (one input event) and translates."""
    area = d.find_element(By.ID, "text")
    d.execute_script("document.getElementById('status').textContent = ''")
    d.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", area, text)


def translated(d, before=None):
    """Waits until the status says a translation finished (and changed, if `before`)."""
    def done(_):
        s = d.find_element(By.ID, "status").text
        return "explained for" in s and s != before and s
    return wait(d, done, "a translation")


def retranslate(d, action):
    """Clears the status, does `action` (which translates again), waits for the result."""
    d.execute_script("document.getElementById('status').textContent = ''")
    action()
    return translated(d)


def explained(api_resp, reader):
    """The spans the page must explain: the other side's jargon, first mention of each."""
    seen, out = set(), []
    for a in api_resp["annotations"]:
        if a["side"] == reader or a["concept_id"] in seen:
            continue
        seen.add(a["concept_id"])
        out.append(a)
    return out


def name_of(c, reader):
    """A concept's title for `reader`: their side's preferred term, else the other's, else the id."""
    for side in (reader, "it" if reader == "marketing" else "marketing"):
        if c.get(side) and c[side]["terms"]:
            return c[side]["terms"][0]
    return c["id"]


def open_page(d, server, query=""):
    """Loads the page afresh (a new document, even when only the hash differs)."""
    d.get("about:blank")
    d.get(server.url + "/" + query)
    wait(d, lambda _: d.execute_script("return document.readyState") == "complete", "the page")


# ---- tests ----------------------------------------------------------------------------------


def test_read_and_switch_readers(d, server):
    open_page(d, server)
    paste(d, BRIEF)
    translated(d)
    for reader in ["marketing", "it"]:
        if reader != "marketing":
            retranslate(d, lambda: Select(d.find_element(By.ID, "audience")).select_by_value(reader))
            assert f"for={reader}" in d.current_url, d.current_url
            assert "Q3" not in d.current_url, "the URL must not carry the text"
        want = explained(server.translate(BRIEF, reader), reader)
        assert want, f"the brief must have jargon for {reader}"
        got = marks(d)
        assert [(m.get_attribute("data-concept"), m.text) for m in got] == \
               [(a["concept_id"], a["text"]) for a in want], (reader, [m.text for m in got])
        for m, a in zip(got, want):
            title = m.get_attribute("title")
            assert a["definition"] in title, (title, a)
            if a["equivalents"] and not a["false_friend"]:
                assert title.startswith(a["equivalents"][0]), (title, a)
        # The side list names each explained concept once.
        side = [li.get_attribute("data-concept")
                for li in d.find_elements(By.CSS_SELECTOR, "#concepts li[data-concept]")]
        assert side == list(dict.fromkeys(a["concept_id"] for a in want)), side
        shot(d, f"read-{reader}")
    # Gaps from the response are listed.
    gaps = {g["text"] for g in server.translate(BRIEF, "it")["gaps"]}
    shown = d.find_element(By.ID, "gaps").text
    assert gaps, "the brief has gaps (TPM, QBR)"
    for g in gaps:
        assert g in shown, (g, shown)
    # A false friend says which sense is meant.
    ff = [m for m in marks(d) if "false-friend" in m.get_attribute("class")]
    assert ff, "the IT reader meets 'campaign' or 'audience' as a false friend"
    # ... in the server's own words: its inline note ("[marketing sense: X, not Y]").
    inline = server.translate(BRIEF, "it")["renderings"][0]["text"]
    by_id = {a["concept_id"]: a for a in explained(server.translate(BRIEF, "it"), "it")}
    for m in ff:
        a = by_id[m.get_attribute("data-concept")]
        title = m.get_attribute("title")
        assert title.endswith(". " + a["definition"]), title
        note = title[: -len(". " + a["definition"])]
        assert f"{a['text']} [{note}]" in inline, (note, inline)
    # Focus by keyboard shows the card, with the equivalent and definition.
    first = marks(d)[0]
    d.execute_script("arguments[0].focus()", first)
    tip = d.find_element(By.ID, "tip")
    wait(d, lambda _: tip.is_displayed(), "the explanation card")
    assert first.get_attribute("aria-describedby") == "tip"
    assert first.get_attribute("title").split(" — ")[-1][:20] in tip.text or tip.text
    shot(d, "read-tooltip")
    # The Markdown copy is the API's markdown rendering.
    md = server.translate(BRIEF, "it", "markdown")["renderings"][0]["text"]
    assert d.execute_script("return document.getElementById('markdown').textContent") == md


def test_reader_kept_in_url(d, server):
    open_page(d, server, "?for=it")
    assert Select(d.find_element(By.ID, "audience")).first_selected_option.get_attribute("value") == "it"
    paste(d, "Our MQL count and CTR are up.")
    translated(d)
    concept_ids = [m.get_attribute("data-concept") for m in marks(d)]
    want = [a["concept_id"] for a in explained(server.translate("Our MQL count and CTR are up.", "it"), "it")]
    assert concept_ids == want and want, (concept_ids, want)


def test_open_a_markdown_file(d, server):
    brief = "# Plan\n\nOur latency is high.\n\n```\nlatency = 40\n```\n"
    path = os.path.join(tempfile.mkdtemp(prefix="broker-brief-"), "brief.md")
    with open(path, "w") as f:
        f.write(brief)
    open_page(d, server, "?for=marketing")
    d.find_element(By.ID, "file").send_keys(path)
    translated(d)
    assert Select(d.find_element(By.ID, "format")).first_selected_option.get_attribute("value") == "markdown"
    assert d.find_element(By.ID, "text").get_attribute("value") == brief
    want = explained(server.translate(brief, "marketing", "markdown"), "marketing")
    got = [(m.get_attribute("data-concept"), m.text) for m in marks(d)]
    assert got == [(a["concept_id"], a["text"]) for a in want] == [("latency", "latency")], got
    # The Markdown copy has the footnote; the code block is left alone.
    md = d.execute_script("return document.getElementById('markdown').textContent")
    assert md == server.translate(brief, "marketing", "markdown")["renderings"][0]["text"]
    assert "[^1]" in md and "latency = 40\n" in md, md
    d.find_element(By.ID, "copy-md").click()
    wait(d, lambda _: d.find_element(By.ID, "copy-status").text, "the copy")
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def test_hostile_text_stays_text(d, server):
    open_page(d, server)
    d.execute_script("window.__pwned = undefined")
    paste(d, HOSTILE)
    translated(d)
    time.sleep(0.5)  # give an injected handler every chance to run
    assert d.execute_script("return window.__pwned") is None, "injected script ran"
    result = d.find_element(By.ID, "result")
    assert result.find_elements(By.TAG_NAME, "img") == []
    assert result.find_elements(By.TAG_NAME, "script") == []
    assert result.find_elements(By.TAG_NAME, "svg") == []
    text = d.execute_script("return document.getElementById('result').textContent")
    assert text == HOSTILE, text
    assert [m.text for m in marks(d)], "the jargon around the markup is still explained"
    shot(d, "read-hostile")
    # The same in HTML format: the server skips the tags, the page shows them as text.
    retranslate(d, lambda: Select(d.find_element(By.ID, "format")).select_by_value("html"))
    time.sleep(0.3)
    assert d.execute_script("return window.__pwned") is None
    assert d.execute_script("return document.getElementById('result').textContent") == HOSTILE


def test_search_and_open_concept(d, server):
    open_page(d, server, "#browse")
    search = wait(d, EC.visibility_of_element_located((By.ID, "search")), "the search box")
    search.send_keys("pipel")
    status, body, _ = server.request("GET", "/v1/suggest?prefix=pipel&limit=10")
    if status == 200:
        wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#suggestions li")), "suggestions")
        shot(d, "browse-suggest")
        search.send_keys(Keys.ARROW_DOWN)
        chosen = d.find_element(By.CSS_SELECTOR, "#suggestions li[aria-selected=true]").get_attribute("data-concept")
        search.send_keys(Keys.ENTER)
    else:
        # No suggest route on this server: search by look-up instead.
        search.send_keys("ine", Keys.ENTER)
        wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#concept-list li a")), "results")
        shot(d, "browse-suggest")
        link = d.find_element(By.CSS_SELECTOR, "#concept-list li a")
        chosen = d.find_element(By.CSS_SELECTOR, "#concept-list li").get_attribute("data-concept")
        link.click()
    c = server.get("/v1/concepts/" + chosen)
    wait(d, lambda _: d.find_element(By.ID, "concept-title").text == name_of(c, "marketing"), "the concept page")
    wait(d, lambda _: "Looking" not in d.find_element(By.ID, "false-friends").text, "false friends")
    page = d.find_element(By.ID, "concept-body").text
    for side in ("it", "marketing"):
        if side in c:
            assert c[side]["definition"] in page
            for t in c[side]["terms"]:
                assert t in page, t
    # Open a false friend's other sense: sales pipeline <-> CI/CD pipeline.
    d.get(server.url + "/#concept/ci-pipeline")
    ff = wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#false-friends li[data-concept] a")), "a false friend")
    other = d.find_element(By.CSS_SELECTOR, "#false-friends li[data-concept]").get_attribute("data-concept")
    other_c = server.get("/v1/concepts/" + other)
    assert ff.text == name_of(other_c, "marketing"), (ff.text, other_c)
    assert any(t.lower() == "pipeline" for t in other_c["marketing"]["terms"]), other_c
    shot(d, "concept")
    ff.click()
    wait(d, lambda _: d.find_element(By.ID, "concept-title").text == name_of(other_c, "marketing"), "the other sense")
    # Tags link to a filtered list (where the server lists concepts).
    if server.request("GET", "/v1/concepts?page_size=1")[0] != 200:
        print("     (no GET /v1/concepts on this server: tag list not checked)")
        return
    tag = d.find_element(By.CSS_SELECTOR, ".tags a")
    tag_name = tag.text
    tag.click()
    wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#concept-list li")), "the tag's concepts")
    assert tag_name in d.find_element(By.ID, "browse-filter").text
    shot(d, "browse")


def open_tokens(d):
    if d.find_element(By.ID, "tokens").get_attribute("open") is None:
        d.find_element(By.CSS_SELECTOR, "#tokens summary").click()


def set_token(d, token):
    open_tokens(d)
    box = d.find_element(By.ID, "token")
    box.clear()
    box.send_keys(token, Keys.ENTER)
    wait(d, lambda _: "kept" in d.find_element(By.ID, "token-state").text, "the token kept")


def test_edit_changes_translation(d, server):
    open_page(d, server, "#edit/latency")
    set_token(d, TOKEN)
    assert d.execute_script("return sessionStorage.getItem('broker.adminToken')") == TOKEN
    assert d.execute_script("return localStorage.length") == 0
    field = wait(d, lambda _: d.find_element(By.ID, "f-marketing-terms").get_attribute("value")
                 and d.find_element(By.ID, "f-marketing-terms"), "the form")
    field.clear()
    field.send_keys("waiting time\npage speed")
    d.find_element(By.ID, "save").click()
    wait(d, lambda _: d.find_element(By.ID, "edit-status").text == "Saved.", "the save")
    shot(d, "edit")
    c = server.get("/v1/concepts/latency")
    assert c["marketing"]["terms"][:2] == ["waiting time", "page speed"], c
    # A new translation in the page uses the new preferred term.
    d.find_element(By.ID, "nav-read").click()
    paste(d, "Our latency is too high.")
    translated(d)
    m = [m for m in marks(d) if m.get_attribute("data-concept") == "latency"]
    assert m and m[0].get_attribute("title").startswith("waiting time"), [x.get_attribute("title") for x in m]
    # A loader error is shown next to the field it names.
    d.get(server.url + "/#edit/latency")
    definition = wait(d, lambda _: d.find_element(By.ID, "f-it-definition").get_attribute("value")
                      and d.find_element(By.ID, "f-it-definition"), "the form")
    definition.clear()
    d.find_element(By.ID, "save").click()
    err = wait(d, EC.visibility_of_element_located((By.ID, "e-it-definition")), "the field error")
    assert "definition" in err.text, err.text
    assert definition.get_attribute("aria-invalid") == "true"
    shot(d, "edit-error")


def test_create_and_delete(d, server):
    assert server.request("GET", "/v1/concepts/hallway-test")[0] == 404
    open_page(d, server, "#new")
    set_token(d, TOKEN)
    d.find_element(By.ID, "f-id").send_keys("hallway-test")
    d.find_element(By.ID, "f-it-terms").send_keys("hallway test")
    d.find_element(By.ID, "f-it-definition").send_keys("An informal usability test with passers-by.")
    # No marketing definition yet: the server's loader error lands next to that field.
    d.find_element(By.ID, "f-marketing-terms").send_keys("quick user check")
    d.find_element(By.ID, "f-tags").send_keys("research")
    d.find_element(By.ID, "save").click()
    err = wait(d, EC.visibility_of_element_located((By.ID, "e-marketing-definition")), "the field error")
    # In words for a marketer, not the server's field path; the focus is on the field, which
    # the message describes (so a screen reader reads it there).
    assert err.text.startswith("Write a definition for the marketing side"), err.text
    assert "marketing.definition" not in err.text and "is required when" not in err.text, err.text
    active = d.switch_to.active_element
    assert active.get_attribute("id") == "f-marketing-definition", active.get_attribute("id")
    assert "e-marketing-definition" in active.get_attribute("aria-describedby")
    assert "Marketing definition" in d.find_element(By.ID, "edit-status").text
    assert server.request("GET", "/v1/concepts/hallway-test")[0] == 404, "nothing saved"
    d.find_element(By.ID, "f-marketing-definition").send_keys("Five colleagues try the page and we watch.")
    d.find_element(By.ID, "save").click()
    wait(d, lambda _: d.find_element(By.ID, "edit-status").text == "Saved.", "the create")
    assert not d.find_element(By.ID, "e-marketing-definition").is_displayed()
    status, c, _ = server.request("GET", "/v1/concepts/hallway-test")
    assert status == 200 and c["marketing"]["terms"] == ["quick user check"] and c["tags"] == ["research"], c
    resp = server.translate("We ran a hallway test.", "marketing")
    assert [a["concept_id"] for a in resp["annotations"]] == ["hallway-test"], resp["annotations"]
    # Creating the same id again is refused, next to the id.
    open_page(d, server, "#new")
    d.find_element(By.ID, "f-id").send_keys("hallway-test")
    d.find_element(By.ID, "save").click()
    err = wait(d, EC.visibility_of_element_located((By.ID, "e-id")), "the id error")
    assert "already a concept" in err.text, err.text
    # Delete: two clicks.
    open_page(d, server, "#edit/hallway-test")
    wait(d, lambda _: d.find_element(By.ID, "f-it-terms").get_attribute("value"), "the form")
    delete = d.find_element(By.ID, "delete")
    delete.click()
    assert "Really" in delete.text
    assert server.request("GET", "/v1/concepts/hallway-test")[0] == 200, "one click deletes nothing"
    delete.click()
    wait(d, lambda _: server.request("GET", "/v1/concepts/hallway-test")[0] == 404, "the delete")
    wait(d, lambda _: "#browse" in d.current_url, "back to the glossary")
    assert "Deleted" in d.find_element(By.ID, "browse-flash").text


def test_stale_etag_conflict(d, server):
    open_page(d, server, "#edit/mql")
    set_token(d, TOKEN)
    wait(d, lambda _: d.find_element(By.ID, "f-it-definition").get_attribute("value"), "the form")
    # Someone else changes the concept behind the page's back.
    current = server.get("/v1/concepts/mql")
    theirs = dict(current)
    theirs["note"] = "changed by the other editor"
    for k in ("etag",):
        theirs.pop(k, None)
    status, body, _ = server.request("PUT", "/v1/concepts/mql", theirs,
                                     {"Authorization": "Bearer " + TOKEN, "If-Match": current["etag"]})
    assert status == 200, (status, body)
    note = d.find_element(By.ID, "f-note")
    note.clear()
    note.send_keys("my note")
    d.find_element(By.ID, "save").click()
    box = wait(d, EC.visibility_of_element_located((By.ID, "conflict")), "the conflict")
    assert "changed by someone else" in box.text.lower(), box.text
    assert "changed by the other editor" in d.find_element(By.ID, "theirs").text
    assert "my note" in d.find_element(By.ID, "mine").text
    shot(d, "edit-conflict")
    assert server.get("/v1/concepts/mql")["note"] == "changed by the other editor"
    d.find_element(By.ID, "keep-mine").click()
    wait(d, lambda _: d.find_element(By.ID, "edit-status").text == "Saved.", "the save over theirs")
    assert server.get("/v1/concepts/mql")["note"] == "my note"


def top_of(d, element_id):
    return d.execute_script(
        "return document.getElementById(arguments[0]).getBoundingClientRect().top", element_id)


def test_phone_layout(d, server):
    # A phone's screen: 390 × 844 CSS pixels (an iPhone 12–14), as the browser's device mode sets it.
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    try:
        open_page(d, server, "?for=marketing")
        height = d.execute_script("return window.innerHeight")
        # The token row is folded away: the header is one short band, not a fifth of the screen.
        assert d.find_element(By.ID, "tokens").get_attribute("open") is None, "tokens open on a phone"
        assert not d.find_element(By.ID, "token").is_displayed()
        header = d.execute_script("return document.querySelector('header.top').getBoundingClientRect().height")
        assert header <= 0.08 * height, f"the header takes {header}px of {height}px"
        # Before a translation the brief comes first, in a box that leaves the screen room.
        assert top_of(d, "text") < top_of(d, "result-title")
        box = d.execute_script("return document.getElementById('text').getBoundingClientRect().height")
        assert box <= 0.25 * height, f"the brief box is {box}px of {height}px"
        shot(d, "phone-start")
        paste(d, BRIEF)
        translated(d)
        width, view = d.execute_script(
            "const e = document.documentElement; return [e.scrollWidth, e.clientWidth]")
        assert width <= view, f"the page scrolls sideways on a phone ({width}px > {view}px)"
        # After translating, the result comes first, on the first screen.
        assert top_of(d, "result-title") < top_of(d, "text"), "the result is not above the brief"
        assert 0 <= top_of(d, "result-title") < height / 2, top_of(d, "result-title")
        assert marks(d)[0].is_displayed()
        shot(d, "read-phone")
        # Translate pressed further down: the result is scrolled to the top of the screen.
        d.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        retranslate(d, lambda: d.find_element(By.ID, "translate").click())
        wait(d, lambda _: -2 <= top_of(d, "result-title") < 60, "the result scrolled into view")
        shot(d, "read-phone-result")
        # Typing in the brief does not move it away from under the fingers.
        open_page(d, server, "?for=marketing")
        area = d.find_element(By.ID, "text")
        area.click()
        area.send_keys("Our latency is high.")
        translated(d)
        assert top_of(d, "text") < top_of(d, "result-title"), "the brief moved while typing"
        # Opened, the token row fits the screen: a field per line, no sideways scrolling.
        open_tokens(d)
        assert d.find_element(By.ID, "read-token").is_displayed() and d.find_element(By.ID, "token").is_displayed()
        width, view = d.execute_script(
            "const e = document.documentElement; return [e.scrollWidth, e.clientWidth]")
        assert width <= view, f"the open token row scrolls sideways ({width}px > {view}px)"
        d.execute_script("window.scrollTo(0, 0)")
        shot(d, "phone-tokens")
    finally:
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_titles_are_the_readers_terms(d, server):
    c = server.get("/v1/concepts/ci-pipeline")
    for reader in ("marketing", "it"):
        open_page(d, server, f"?for={reader}#browse")
        wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#concept-list li")), "the cards")
        cards = d.find_elements(By.CSS_SELECTOR, "#concept-list li[data-concept]")
        titled = 0
        for card in cards:
            concept = server.get("/v1/concepts/" + card.get_attribute("data-concept"))
            title = card.find_element(By.CSS_SELECTOR, "h2").text
            assert title == name_of(concept, reader), (title, concept["id"], reader)
            titled += title != concept["id"]
        assert titled >= len(cards) // 2, "most cards must be titled by a term, not an id"
        shot(d, f"browse-{reader}")
        open_page(d, server, f"?for={reader}#concept/ci-pipeline")
        want = c[reader]["terms"][0]
        wait(d, lambda _: d.find_element(By.ID, "concept-title").text == want, f"the {reader} title")
        assert d.find_element(By.ID, "concept-id").text == "id: ci-pipeline"
        assert d.title.startswith(want), d.title
    assert c["marketing"]["terms"][0] != c["it"]["terms"][0] != "ci-pipeline", c


def rank(c, q):
    """The coarse class of a search hit, as the issue orders them: 0 a term is the query,
    1 a term starts with it, 2 a word of a term does, 3 a term or the id holds it, 4 only a
    definition does."""
    names = [t.lower().replace("-", " ") for s in ("it", "marketing") if c.get(s) for t in c[s]["terms"]]
    names.append(c["id"].replace("-", " "))
    if q in names:
        return 0
    if any(n.startswith(q) for n in names):
        return 1
    if any((" " + n).find(" " + q) >= 0 for n in names):
        return 2
    if any(q in n for n in names):
        return 3
    assert any(q in c[s]["definition"].lower() for s in ("it", "marketing") if c.get(s)), c
    return 4


def test_search_ranks_by_match_quality(d, server):
    open_page(d, server, "#browse")
    search = wait(d, EC.visibility_of_element_located((By.ID, "search")), "the search box")
    search.send_keys("pipe", Keys.ENTER)  # no suggestion chosen: a search
    wait(d, lambda _: "q=pipe" in d.current_url, "the search")
    listed = "return [...document.querySelectorAll('#concept-list li[data-concept]')].map((li) => li.dataset.concept)"
    # (the whole glossary's first page, loaded on opening, must not replace the search's)
    # (the search's answer has replaced the whole glossary's first page)
    wait(d, lambda _: "sales-pipeline" in d.execute_script(listed), "the results")
    time.sleep(0.5)
    ids = d.execute_script(listed)
    shot(d, "browse-search-pipe")
    # The concepts called "pipeline" (a term that starts with the query) come before
    # database-trigger ("pipeline trigger" is only an alias of it), whatever else the
    # glossary holds.
    assert "ci-pipeline" in ids and "sales-pipeline" in ids, ids
    if "database-trigger" in ids:
        assert ids.index("database-trigger") > max(ids.index("ci-pipeline"), ids.index("sales-pipeline")), ids
    # And the rule holds down the whole page: no hit is listed before a better one.
    ranks = [rank(server.get("/v1/concepts/" + i), "pipe") for i in ids]
    assert ranks == sorted(ranks), list(zip(ids, ranks))
    assert ranks[-1] > 1, "the page reaches weaker hits too"


def test_unknown_concept_leads_to_a_search(d, server):
    assert server.request("GET", "/v1/concepts/release")[0] == 404
    open_page(d, server, "#concept/release")
    wait(d, lambda _: "#browse?q=release" in d.current_url, "the search for the id")
    flash = wait(d, EC.visibility_of_element_located((By.ID, "browse-flash")), "the note")
    assert "No concept has the id “release”" in flash.text, flash.text
    wait(d, lambda _: d.find_elements(By.CSS_SELECTOR, "#concept-list li[data-concept]"), "the results")
    assert d.find_element(By.ID, "search").get_attribute("value") == "release"
    first = d.find_element(By.CSS_SELECTOR, "#concept-list li[data-concept]")
    c = server.get("/v1/concepts/" + first.get_attribute("data-concept"))
    assert rank(c, "release") <= 1, c
    shot(d, "concept-unknown")
    # An id of several words searches for the words.
    d.execute_script("location.hash = '#concept/sales-pipe'")
    wait(d, lambda _: "#browse?q=sales%20pipe" in d.current_url, "the search for the words")
    first = "const li = document.querySelector('#concept-list li'); return li && li.dataset.concept"
    wait(d, lambda _: d.execute_script(first) == "sales-pipeline", "sales-pipeline first")
    assert d.find_element(By.ID, "search").get_attribute("value") == "sales pipe"
    # Back goes to the page before, not to the dead end again.
    d.back()
    wait(d, lambda _: "#browse?q=release" in d.current_url, "back")
    # The editor's link to an unknown id, too.
    d.execute_script("location.hash = '#edit/no-such-thing'")
    wait(d, lambda _: "#browse?q=no%20such%20thing" in d.current_url, "the search from the editor")
    assert "No concept has the id “no-such-thing”" in d.find_element(By.ID, "browse-flash").text
    wait(d, lambda _: "Add a new concept" in d.find_element(By.ID, "browse-info").text, "the offer to add it")


def test_new_concept_id_follows_the_first_term(d, server):
    open_page(d, server, "#new")
    # Saving without the admin token: the token row opens, says why, and has the focus.
    open_tokens(d)
    d.find_element(By.ID, "token-clear").click()
    d.find_element(By.ID, "save").click()
    wait(d, lambda _: d.switch_to.active_element.get_attribute("id") == "token", "the focus on the token")
    assert "Saving needs the admin token" in d.find_element(By.ID, "token-state").text
    set_token(d, TOKEN)
    ident = d.find_element(By.ID, "f-id")
    it_terms = d.find_element(By.ID, "f-it-terms")
    mk_terms = d.find_element(By.ID, "f-marketing-terms")
    mk_terms.send_keys("Café Crème")
    assert ident.get_attribute("value") == "cafe-creme", "from the marketing term when IT has none"
    it_terms.send_keys("CI/CD Hallway Test\nsecond term")
    assert ident.get_attribute("value") == "ci-cd-hallway-test", ident.get_attribute("value")
    # Typed by hand, the id stays.
    ident.clear()
    ident.send_keys("hallway-check")
    it_terms.clear()
    it_terms.send_keys("New Hallway Test")
    assert ident.get_attribute("value") == "hallway-check"
    # Emptied, it follows the term again.
    ident.send_keys(Keys.CONTROL, "a")
    ident.send_keys(Keys.BACKSPACE)
    it_terms.send_keys("s")
    assert ident.get_attribute("value") == "new-hallway-tests", ident.get_attribute("value")
    shot(d, "new-derived-id")
    # An id the server refuses: the message says what to do, next to the id, which has the focus.
    ident.clear()
    ident.send_keys("Hallway Check!")
    d.find_element(By.ID, "f-it-definition").send_keys("A test.")
    d.find_element(By.ID, "f-marketing-definition").send_keys("A check.")
    d.find_element(By.ID, "save").click()
    err = wait(d, EC.visibility_of_element_located((By.ID, "e-id")), "the id error")
    assert err.text.startswith("The id can only hold lower-case letters"), err.text
    assert d.switch_to.active_element.get_attribute("id") == "f-id"
    ident.clear()
    ident.send_keys("hallway-check")
    d.find_element(By.ID, "save").click()
    wait(d, lambda _: d.find_element(By.ID, "edit-status").text == "Saved.", "the create")
    status, c, _ = server.request("GET", "/v1/concepts/hallway-check")
    assert status == 200 and c["it"]["terms"] == ["New Hallway Tests"], c
    # An existing concept keeps its id, whatever its terms become.
    open_page(d, server, "#edit/hallway-check")
    it_terms = wait(d, lambda _: d.find_element(By.ID, "f-it-terms").get_attribute("value")
                    and d.find_element(By.ID, "f-it-terms"), "the form")
    it_terms.send_keys(Keys.CONTROL, Keys.HOME, "Renamed ")
    assert d.find_element(By.ID, "f-id").get_attribute("value") == "hallway-check"
    status, _, _ = server.request("DELETE", "/v1/concepts/hallway-check", None,
                                  {"Authorization": "Bearer " + TOKEN, "If-Match": c["etag"]})
    assert status in (200, 204), status


def test_read_token_field(d, server):
    """Against a server started with --read-token: the page asks for it, keeps it like the
    admin token, and sends it on every read (translate, suggest, concepts, lookup)."""
    guarded = Server(server.binary, read_token=READ_TOKEN)
    try:
        assert guarded.request("GET", "/v1/info", headers={"Authorization": "Bearer nope"})[0] == 401
        open_page(d, guarded)
        # Refused reads open the token row and say what is needed.
        state = wait(d, EC.visibility_of_element_located((By.ID, "read-token-state")), "the token row")
        wait(d, lambda _: "needs a read token" in state.text, "the request for a read token")
        paste(d, "Our latency is high.")
        wait(d, lambda _: "read token" in d.find_element(By.ID, "status").text, "the refused translation")
        assert marks(d) == []
        shot(d, "read-token-asked")
        # A wrong one is refused, in words.
        box = d.find_element(By.ID, "read-token")
        box.send_keys("wrong", Keys.ENTER)
        wait(d, lambda _: "Refused" in d.find_element(By.ID, "read-token-state").text, "the refusal")
        # The right one: kept for the tab like the admin token, and the page works.
        box.clear()
        box.send_keys(READ_TOKEN, Keys.ENTER)
        translated(d)
        assert [m.get_attribute("data-concept") for m in marks(d)] == ["latency"]
        assert d.execute_script("return sessionStorage.getItem('broker.readToken')") == READ_TOKEN
        assert d.execute_script("return localStorage.length") == 0
        assert "kept" in d.find_element(By.ID, "read-token-state").text
        wait(d, lambda _: "concepts" in d.find_element(By.ID, "info").text, "the glossary info")
        shot(d, "read-token-kept")
        # Concepts (list), suggest and lookup (false friends) work too.
        d.find_element(By.ID, "nav-browse").click()
        wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#concept-list li")), "the list")
        search = d.find_element(By.ID, "search")
        search.send_keys("pipel")
        wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#suggestions li")), "suggestions")
        d.get(guarded.url + "/#concept/ci-pipeline")
        wait(d, EC.visibility_of_element_located((By.CSS_SELECTOR, "#false-friends li[data-concept]")), "false friends")
        # Forget: reads are refused again.
        open_tokens(d)
        d.find_element(By.ID, "read-token-clear").click()
        assert d.execute_script("return sessionStorage.getItem('broker.readToken')") is None
        d.get(guarded.url + "/#concept/latency")
        wait(d, lambda _: "read token" in d.find_element(By.ID, "concept-body").text, "the refusal after Forget")
        # The admin token alone does not open reads (it is sent on edits only).
        assert guarded.request("GET", "/v1/info", headers={"Authorization": "Bearer " + TOKEN})[0] == 401
    finally:
        guarded.stop()


def test_keyboard_reaches_spans(d, server):
    open_page(d, server)
    paste(d, "Our latency is bad.")
    translated(d)
    d.find_element(By.ID, "translate").send_keys(Keys.TAB)  # on to the next focusable things
    for _ in range(6):
        active = d.switch_to.active_element
        if active.get_attribute("data-concept"):
            break
        active.send_keys(Keys.TAB)
    assert d.switch_to.active_element.get_attribute("data-concept") == "latency"
    tip = d.find_element(By.ID, "tip")
    assert tip.is_displayed() and "page speed" in tip.text, tip.text
    d.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not tip.is_displayed(), "Escape closes the card"
    # A tap (click) opens it too.
    paste(d, "Our latency is bad and the API is down.")
    translated(d)
    api_mark = [m for m in marks(d) if m.text == "API"][0]
    api_mark.click()
    wait(d, lambda _: tip.is_displayed() and api_mark.get_attribute("title").split(" — ")[0] in tip.text,
         "the card of the tapped term")


TESTS = [
    test_read_and_switch_readers,
    test_reader_kept_in_url,
    test_open_a_markdown_file,
    test_hostile_text_stays_text,
    test_search_and_open_concept,
    test_edit_changes_translation,
    test_create_and_delete,
    test_stale_etag_conflict,
    test_phone_layout,
    test_keyboard_reaches_spans,
    test_titles_are_the_readers_terms,
    test_search_ranks_by_match_quality,
    test_unknown_concept_leads_to_a_search,
    test_new_concept_id_follows_the_first_term,
    test_read_token_field,
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "debug", "broker"))
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    args = ap.parse_args()
    if os.path.isdir(SHOTS):
        for name in os.listdir(SHOTS):
            if name.startswith("FAILED-"):
                os.remove(os.path.join(SHOTS, name))
    try:
        server = Server(args.binary)
    except Exception as e:
        print(f"cannot start {args.binary}: {e}")
        print("0 passed, 1 failed")
        return 1
    profile = tempfile.mkdtemp(prefix="broker-chromium-")
    try:
        d = browser(profile)
    except Exception as e:
        server.stop()
        print(f"cannot start Chromium: {e}")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    try:
        d.set_page_load_timeout(WAIT)
        for t in TESTS:
            if args.k not in t.__name__:
                continue
            start = time.time()
            try:
                t(d, server)
                # Refused requests (404 of a missing route, 400, 412) are expected;
                # anything else severe (a CSP violation, a script error) is a failure.
                errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"
                          and "Failed to load resource" not in e["message"]]
                assert not errors, f"console errors: {errors}"
                passed += 1
                print(f"ok   {t.__name__} ({time.time() - start:.1f}s)", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {t.__name__}", flush=True)
                traceback.print_exc()
                try:
                    shot(d, "FAILED-" + t.__name__)
                except Exception:
                    pass
    finally:
        d.quit()
        server.stop()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
