"""A partner's calendar served by a real local HTTP server (http.server in a thread)."""

import contextlib
import http.server
import threading
import time
from datetime import UTC, datetime, timedelta


def ics(events, *, prodid="-//Partner//Kalender//DE") -> bytes:
    """A VCALENDAR of dicts: uid, seq, summary, start, end, status, url, location."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}"]
    for event in events:
        start: datetime = event["start"].astimezone(UTC)
        end = event.get("end", event["start"] + timedelta(hours=2)).astimezone(UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}",
            f"SEQUENCE:{event.get('seq', 0)}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{event['summary']}",
        ]
        if event.get("status"):
            lines.append(f"STATUS:{event['status']}")
        if event.get("url"):
            lines.append(f"URL:{event['url']}")
        if event.get("location"):
            lines.append(f"LOCATION:{event['location']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


class FeedServer:
    """Serves ``routes[path] = (status, headers, body)``; ``delay`` seconds before answering."""

    def __init__(self):
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.delay = 0.0
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if callable(body):
                        self.end_headers()
                        body(self.wfile)
                        return
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body, *, status=200, headers=None):
        self.routes[path] = (status, {"Content-Type": "text/calendar", **(headers or {})}, body)


@contextlib.contextmanager
def feed_server():
    server = FeedServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
