"""The bench's burst client (tests/perf/bench.py::burst) against a small local HTTP server."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.perf.bench import burst


class _Redirect(BaseHTTPRequestHandler):
    """Answers every POST like the registration view: 302 to the result, then closes."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(302)
        self.send_header("Location", "/done/?done=1&n=" + str(len(body)))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


FORMS = [{"email": f"p{i}@bench.example", "consent": "on"} for i in range(12)]


def test_at_once_every_request_is_answered_with_its_status_and_location(server_port):
    result = burst(server_port, "POST", "/register/", FORMS)
    assert result.count == 12
    assert result.statuses == [302] * 12
    assert all(location.startswith("/done/?done=1") for location in result.locations)
    assert all(latency > 0 for latency in result.latencies)
    # Nothing waits for a schedule: request i never goes out later than request i + 1.
    assert result.sent_after == sorted(result.sent_after)


def test_paced_requests_go_out_no_earlier_than_their_turn(server_port):
    result = burst(server_port, "POST", "/register/", FORMS, per_second=200)
    assert result.statuses == [302] * 12
    # Request i is due i / 200 s after the start; the client may be late, never early.
    for i, after in enumerate(result.sent_after):
        assert after >= i / 200, (i, after)
    assert result.seconds >= 11 / 200
