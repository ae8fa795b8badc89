"""Health check of the app container: GET /health/ sent to uwsgi in its own protocol, as nginx's uwsgi_pass does.

Exits 0 when Django answers 200. uwsgi listens at MEIDUO_UWSGI_SOCKET (host:port); the request names the first
of DJANGO_ALLOWED_HOSTS and says it came over HTTPS, as nginx behind TLS would, so neither the host check nor
SECURE_SSL_REDIRECT turns it away.
"""

import os
import socket
import struct
import sys


def uwsgi_packet(variables):
    body = b"".join(
        struct.pack("<H", len(key)) + key + struct.pack("<H", len(value)) + value
        for key, value in ((k.encode(), v.encode()) for k, v in variables.items())
    )
    return struct.pack("<BHB", 0, len(body), 0) + body


def status_of(path, address, host, timeout=5.0):
    request = uwsgi_packet(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "REQUEST_URI": path,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": host,
            "SERVER_PORT": "443",
            "HTTP_HOST": host,
            "HTTP_X_FORWARDED_PROTO": "https",
            "REMOTE_ADDR": "127.0.0.1",
        }
    )
    with socket.create_connection(address, timeout) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    return int(status_line.split()[1]) if status_line.startswith("HTTP/") else None


def main():
    host, _, port = os.environ.get("MEIDUO_UWSGI_SOCKET", "127.0.0.1:8000").rpartition(":")
    address = ("127.0.0.1" if host in ("", "0.0.0.0") else host, int(port))
    allowed = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
    try:
        status = status_of("/health/", address, allowed)
    except OSError as error:
        sys.exit(f"uwsgi at {address[0]}:{address[1]}: {error}")
    if status != 200:
        sys.exit(f"GET /health/ answered {status}")


if __name__ == "__main__":
    main()
