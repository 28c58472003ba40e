"""A fake message gateway for the tests: a real HTTP server on a thread of the test process,
standing in for an SMS gateway's API (POST /sms) and LINE's (POST /bot/pnp/push). It keeps
what it was sent, and can be told to fail the next requests (503) to test the retries."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self):
        self.received: list[dict] = []
        self.fail_next = 0
        self.refuse_next = 0
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with gateway.lock:
                    if gateway.fail_next > 0:
                        gateway.fail_next -= 1
                        status = 503
                    elif gateway.refuse_next > 0:
                        gateway.refuse_next -= 1
                        status = 400
                    else:
                        status = 200
                    gateway.received.append(
                        {"path": self.path, "status": status, "body": body, "headers": dict(self.headers)}
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self, path="/sms") -> list[dict]:
        """The requests it answered 200 on `path`."""
        with self.lock:
            return [r for r in self.received if r["path"] == path and r["status"] == 200]

    def reset(self):
        with self.lock:
            self.received.clear()
            self.fail_next = self.refuse_next = 0

    def close(self):
        self.server.shutdown()
        self.server.server_close()
