#!/usr/bin/env python3
"""An HTTP CONNECT proxy on 127.0.0.1 that tunnels every CONNECT, whatever host it names, to one
port on 127.0.0.1: a stand-in for DNS that would resolve BUCKET.localhost to loopback, so that
virtual-hosted-style S3 requests (the bucket in the Host header) reach a local moto server.

Usage: python3 scripts/connect-proxy.py UPSTREAM_PORT   # prints the proxy's port, then serves
It exits when its standard input closes, so it never outlives the process that started it.
"""

import asyncio
import os
import sys
import threading

UPSTREAM = int(sys.argv[1])


async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    request_line = await reader.readline()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    if not request_line.startswith(b"CONNECT "):
        writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM)
    except OSError:
        # The client must hear that the tunnel failed rather than wait on an open socket.
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(relay(reader, upstream_writer), relay(upstream_reader, writer), return_exceptions=True)


def exit_when_stdin_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


async def main() -> None:
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
