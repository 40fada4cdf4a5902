"""Open the built docs site in headless Chromium as a reader would: python browser_check.py SITE WORD

Serves SITE on 127.0.0.1, drives Chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: no websocket client, no npm package), and checks that the tutorial
page renders with its code blocks and that the site's search finds WORD. Exits 1 with what
went wrong.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

TIMEOUT = 30.0
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
]
HEADING = "document.readyState === 'complete' && document.querySelector('article.md-content__inner h1')"
CODE_BLOCKS = "document.querySelectorAll('article.md-content__inner pre code').length"
HITS = "Array.from(document.querySelectorAll('.md-search-result__item a'), a => a.href)"
# the line above the results, once the search has run ("6 matching documents", "No matching documents")
SEARCH_DONE = (
    "(m => m && !/^(Initializing|Type to start)/.test(m) ? m : null)"
    "(document.querySelector('.md-search-result__meta')?.textContent.trim())"
)


class Browser:
    """One headless Chromium, spoken to over --remote-debugging-pipe (it reads fd 3, writes fd 4)."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="docs-chromium-")
        # bash puts our stdin pipe on fd 3 and our stdout pipe on fd 4, as the protocol wants
        on_pipes = 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null 2>/dev/null'
        self.proc = subprocess.Popen(
            ["bash", "-c", on_pipes, executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,  # its helper processes share a process group that is ours alone
        )
        self.last_id = 0
        self.buffer = b""
        self.session = ""

    def send(self, method: str, params: dict[str, Any] | None = None, *, to_page: bool = True) -> Any:
        """Send one DevTools command and return its result."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if to_page and self.session:
            message["sessionId"] = self.session
        self.proc.stdin.write(json.dumps(message).encode() + b"\0")
        self.proc.stdin.flush()
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError(f"chromium closed the pipe during {method}")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open(self, url: str) -> None:
        """Open `url` in a new page, which later commands then talk to."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, to_page=False)["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, to_page=False)
        self.session = attached["sessionId"]
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        """Poll `expression` until it is truthy; an AssertionError naming `what` after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out after {TIMEOUT:.0f}s waiting for {what}")

    def close(self) -> None:
        """Close the browser and everything it started."""
        with contextlib.suppress(RuntimeError):
            self.send("Browser.close", to_page=False)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(site: str, word: str) -> int:
    """Check the tutorial page and a search for `word`; 0 when both are as a reader expects."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        print("browser check: no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 1
    handler = functools.partial(QuietHandler, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = Browser(executable)
    try:
        # ?q= opens the site's search with that query, as a shared search link does
        browser.open(f"http://127.0.0.1:{server.server_address[1]}/tutorial/?q={word}")
        heading = browser.wait_for(f"{HEADING}?.textContent", "the tutorial's heading")
        blocks = browser.evaluate(CODE_BLOCKS)
        searched = browser.wait_for(SEARCH_DONE, f"the search for {word!r}")
        hits = browser.evaluate(HITS)
    finally:
        browser.close()
        server.shutdown()
    heading = heading.replace("¶", "").strip()
    if heading != "Tutorial" or not blocks:
        print(f"browser check: the tutorial did not render: heading {heading!r}, {blocks} code blocks")
        return 1
    if not hits:
        print(f"browser check: the search for {word!r} found nothing: {searched}")
        return 1
    print(f"browser check: the tutorial renders ({blocks} code blocks); the search for {word!r}: {searched}")
    print("  first result:", hits[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
