"""A forwarding proxy that holds back the first 'completed' status answer.

Usage: slow_status_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_SECONDS

Every request goes to the server on 127.0.0.1:UPSTREAM_PORT unchanged. The first answer of a status URL
that says "completed" is held for DELAY_SECONDS before it is passed on, so the pre-signed resultUrl in it
has expired by the time the client uses it: what a slow network, or a client paused between polling and
downloading, does. Later answers pass at once. Used by scripts/client-e2e.sh.
"""
import http.client
import http.server
import sys
import threading
import time

LISTEN_PORT, UPSTREAM_PORT, DELAY = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
held = threading.Event()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM_PORT, timeout=60)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        if self.path.endswith("/status") and response.status == 200 and b'"completed"' in data and not held.is_set():
            held.set()
            time.sleep(DELAY)
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = forward

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", LISTEN_PORT), Handler).serve_forever()
