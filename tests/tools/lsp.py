"""A small client for a language server over stdio (JSON-RPC with Content-Length framing).

Enough of the protocol to drive yaml-language-server as an editor does: initialize, settings by
workspace/didChangeConfiguration (and answers to workspace/configuration), didOpen/didChange,
the diagnostics it publishes, completion and hover.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


class LanguageServer:
    """One server process; requests wait for their answer, notifications are collected."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]) -> None:
        self.root = root
        self.settings = settings
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._next_id = 0
        self._answers: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._diagnostics: dict[str, list[dict[str, Any]]] = {}
        self._versions: dict[str, int] = {}  # of each open document, as last sent
        self._published = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": {
                    "workspace": {"configuration": True, "didChangeConfiguration": {}},
                    "textDocument": {
                        "publishDiagnostics": {},
                        "completion": {
                            "completionItem": {
                                "snippetSupport": False,
                                "documentationFormat": ["markdown", "plaintext"],
                            }
                        },
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                    },
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    # -- the wire -------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            self._dispatch(json.loads(stream.read(length)))

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._stderr.append(line)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # a request from the server
            self._answer_server(message)
        elif "id" in message:
            with self._lock:
                box = self._answers.get(message["id"])
            if box is not None:
                box.put(message)
        elif message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            uri, version = params["uri"], params.get("version")
            with self._published:
                if version is None or version == self._versions.get(uri):  # not a stale one
                    self._diagnostics[uri] = params["diagnostics"]
                    self._published.notify_all()

    def _answer_server(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self._section(item.get("section")) for item in message["params"]["items"]]
        self._send({"id": message["id"], "result": result})

    def _section(self, section: str | None) -> Any:
        value: Any = self.settings
        for part in (section or "").split(".") if section else ():
            value = value.get(part) if isinstance(value, dict) else None
        return value

    # -- requests -------------------------------------------------------------------------------
    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            box: queue.Queue[dict[str, Any]] = queue.Queue()
            self._answers[ident] = box
        self._send({"id": ident, "method": method, "params": params})
        try:
            answer = box.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"{method}: no answer in {timeout}s; stderr: {self.stderr()}") from None
        finally:
            with self._lock:
                del self._answers[ident]
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    # -- documents ------------------------------------------------------------------------------
    def open(self, path: Path, text: str | None = None) -> str:
        """Open ``path`` (its text, or ``text``); returns its URI."""
        uri = path.as_uri()
        text = path.read_text() if text is None else text
        with self._published:
            self._diagnostics.pop(uri, None)
            self._versions[uri] = self._versions.get(uri, 0) + 1
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "yaml",
                    "version": self._versions[uri],
                    "text": text,
                }
            },
        )
        return uri

    def change(self, uri: str, text: str) -> None:
        """Replace the whole text of an open document."""
        with self._published:
            self._diagnostics.pop(uri, None)
            self._versions[uri] += 1
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": self._versions[uri]},
                "contentChanges": [{"text": text}],
            },
        )

    def close(self, uri: str) -> None:
        """Close a document, and wait for the server to clear its diagnostics.

        yaml-language-server publishes no document version, so a clearing that arrived after the
        same file was opened again would pass for the new document's diagnostics.
        """
        with self._published:
            self._diagnostics.pop(uri, None)
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self.diagnostics(uri)
        with self._published:
            self._diagnostics.pop(uri, None)  # its version stays: the server caches parses by uri and version

    def configure(self, settings: dict[str, Any]) -> None:
        """New settings (such as other schemas), as an editor sends them when they change."""
        self.settings = settings
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def diagnostics(self, uri: str, timeout: float = 30) -> list[dict[str, Any]]:
        """The diagnostics the server publishes next for ``uri`` (after open or change)."""
        deadline = time.monotonic() + timeout
        with self._published:
            while uri not in self._diagnostics:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no diagnostics for {uri} in {timeout}s; stderr: {self.stderr()}")
                self._published.wait(left)
            return self._diagnostics[uri]

    def completion(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        if isinstance(result, dict):
            return list(result.get("items", []))
        return list(result or [])

    def hover(self, uri: str, line: int, character: int) -> str:
        result = self.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        if not result:
            return ""
        contents = result["contents"]
        if isinstance(contents, dict):
            return str(contents.get("value", ""))
        if isinstance(contents, list):
            return "\n".join(c if isinstance(c, str) else c.get("value", "") for c in contents)
        return str(contents)

    def shutdown(self) -> None:
        """Ask the server to exit (kill it if it will not), and close its pipes."""
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def yaml_settings(schemas: dict[str, list[str] | str]) -> dict[str, Any]:
    """Settings as VS Code's YAML extension sends them: schema URI -> file globs."""
    return {
        "yaml": {
            "validate": True,
            "hover": True,
            "completion": True,
            "format": {"enable": False},
            "schemaStore": {"enable": False},
            "schemas": schemas,
        }
    }


def server_command(root: Path) -> list[str] | None:
    """How to start yaml-language-server: $YAML_LANGUAGE_SERVER, .ci/lsp's (see .ci/tools.sh), or PATH's."""
    import os
    import shutil

    candidates = [
        os.environ.get("YAML_LANGUAGE_SERVER"),
        str(root / ".ci" / "lsp" / "node_modules" / ".bin" / "yaml-language-server"),
        shutil.which("yaml-language-server"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and shutil.which("node"):
            return [candidate, "--stdio"]
    return None
