"""A FastDFS tracker, storage server and HTTP file server on 127.0.0.1, written from the protocol.

Every packet is a 10-byte header (8-byte big-endian body length, command, status) and a body; an
answer carries command 100 and, in its status, 0 or an errno. The tracker (tracker/tracker_proto.h)
answers 101 QUERY_STORE_WITHOUT_GROUP_ONE, 104 QUERY_STORE_WITH_GROUP_ONE, 102 QUERY_FETCH_ONE and
103 QUERY_UPDATE; the storage server answers 11 UPLOAD_FILE, 12 DELETE_FILE, 14 DOWNLOAD_FILE and
22 QUERY_FILE_INFO; both answer 111 ACTIVE_TEST and close on 82 QUIT. IP address fields are
IP_ADDRESS_SIZE - 1 bytes in tracker answers and IP_ADDRESS_SIZE in file info, with IP_ADDRESS_SIZE
16 (IPv4 builds) or 46 (FastDFS 6.12+). File names follow the storage server's scheme: store path
"M00", two levels of hex directories and 20 bytes (source IP, timestamp, size, CRC32) in FastDFS's
base64 alphabet. The HTTP server plays the nginx module that serves /<group>/M00/... in production.
"""

import base64
import errno
import mimetypes
import random
import socket
import socketserver
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEADER = struct.Struct(">QBB")
GROUP_NAME_LEN = 16
EXT_NAME_LEN = 6
RESP = 100
QUIT = 82
ACTIVE_TEST = 111
QUERY_STORE_WITHOUT_GROUP_ONE = 101
QUERY_FETCH_ONE = 102
QUERY_UPDATE = 103
QUERY_STORE_WITH_GROUP_ONE = 104
UPLOAD_FILE = 11
DELETE_FILE = 12
DOWNLOAD_FILE = 14
QUERY_FILE_INFO = 22


def pad(text, size):
    return text.encode().ljust(size, b"\0")


def unpad(raw):
    return raw.rstrip(b"\0").decode()


class StoredFile:
    def __init__(self, content, created):
        self.content = content
        self.created = created
        self.crc32 = zlib.crc32(content)


class FakeFastDFS:
    """One tracker and one storage server of `group`; `files` maps file ids ("group1/M00/...") to StoredFile."""

    def __init__(self, group="group1", ip_address_size=16):
        self.group = group
        self.ip_address_size = ip_address_size
        self.files = {}
        self.requests = []  # (server, command) in arrival order
        self.full = False  # the storage server answers uploads with ENOSPC
        self.lock = threading.Lock()
        self.tracker = self._tcp_server("tracker", self._tracker_answer)
        self.storage = self._tcp_server("storage", self._storage_answer)
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._http_handler())
        self.threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            for server in (self.tracker, self.storage, self.http)
        ]

    @property
    def tracker_address(self):
        return f"127.0.0.1:{self.tracker.server_address[1]}"

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.http.server_address[1]}/"

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        for server in (self.tracker, self.storage, self.http):
            server.shutdown()
            server.server_close()

    def commands(self, server):
        """The commands `server` received, QUIT left out: it arrives after the answer, whenever the client closes."""
        return [command for name, command in self.requests if name == server and command != QUIT]

    # TCP servers --------------------------------------------------------------------------

    def _tcp_server(self, name, answer):
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                # One connection carries any number of requests until QUIT or close, as with the real servers.
                while True:
                    header = self.read(HEADER.size)
                    if header is None:
                        return
                    length, command, _status = HEADER.unpack(header)
                    with fake.lock:
                        fake.requests.append((name, command))
                    if command == QUIT:
                        return
                    if name == "storage" and command == UPLOAD_FILE:
                        answered = fake._upload(self, length)
                    else:
                        payload = self.read(length)
                        answered = None if payload is None else answer(command, payload)
                    if answered is None:
                        return
                    status, body = answered
                    self.request.sendall(HEADER.pack(len(body), RESP, status) + body)

            def read(self, size):
                chunks = []
                while size:
                    chunk = self.request.recv(min(size, 65536))
                    if not chunk:
                        return None
                    chunks.append(chunk)
                    size -= len(chunk)
                return b"".join(chunks)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        return Server(("127.0.0.1", 0), Handler)

    def _storage_ip_field(self, size):
        return pad("127.0.0.1", size)

    def _tracker_answer(self, command, payload):
        if command == ACTIVE_TEST:
            return 0, b""
        if command in (QUERY_STORE_WITHOUT_GROUP_ONE, QUERY_STORE_WITH_GROUP_ONE):
            expected = 0 if command == QUERY_STORE_WITHOUT_GROUP_ONE else GROUP_NAME_LEN
            if len(payload) != expected:
                return errno.EINVAL, b""
            if expected and unpad(payload) != self.group:
                return errno.ENOENT, b""
            port = self.storage.server_address[1]
            store_path_index = 0
            body = pad(self.group, GROUP_NAME_LEN) + self._storage_ip_field(self.ip_address_size - 1)
            return 0, body + struct.pack(">QB", port, store_path_index)
        if command in (QUERY_FETCH_ONE, QUERY_UPDATE):
            if len(payload) <= GROUP_NAME_LEN:
                return errno.EINVAL, b""
            if unpad(payload[:GROUP_NAME_LEN]) != self.group:
                return errno.ENOENT, b""
            port = self.storage.server_address[1]
            body = pad(self.group, GROUP_NAME_LEN) + self._storage_ip_field(self.ip_address_size - 1)
            return 0, body + struct.pack(">Q", port)
        return errno.EINVAL, b""

    def _upload(self, handler, length):
        fixed = handler.read(1 + 8 + EXT_NAME_LEN) if length >= 1 + 8 + EXT_NAME_LEN else None
        content = None if fixed is None else handler.read(length - len(fixed))
        if content is None:
            return None
        store_path_index, size = struct.unpack(">BQ", fixed[:9])
        if len(content) != size or store_path_index != 0:
            return errno.EINVAL, b""
        if self.full:
            return errno.ENOSPC, b""
        ext = unpad(fixed[9:])
        with self.lock:
            while True:
                remote = self._new_remote_filename(content, ext)
                file_id = f"{self.group}/{remote}"
                if file_id not in self.files:
                    break
            self.files[file_id] = StoredFile(content, int(time.time()))
        return 0, pad(self.group, GROUP_NAME_LEN) + remote.encode()

    def _new_remote_filename(self, content, ext):
        # The storage server packs source IP, timestamp, size (random high bits) and CRC32 into 20 bytes.
        masked_size = (random.getrandbits(31) << 32) | len(content)
        raw = socket.inet_aton("127.0.0.1") + struct.pack(">IQI", int(time.time()), masked_size, zlib.crc32(content))
        name = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        directories = f"{random.randrange(256):02X}/{random.randrange(256):02X}"
        return f"M00/{directories}/{name}" + (f".{ext}" if ext else "")

    def _file_of(self, payload):
        if len(payload) <= GROUP_NAME_LEN:
            return errno.EINVAL, None
        group = unpad(payload[:GROUP_NAME_LEN])
        if group != self.group:
            return errno.EINVAL, None
        file_id = f"{group}/{payload[GROUP_NAME_LEN:].decode()}"
        if file_id not in self.files:
            return errno.ENOENT, None
        return 0, file_id

    def _storage_answer(self, command, payload):
        if command == ACTIVE_TEST:
            return 0, b""
        if command == DELETE_FILE:
            status, file_id = self._file_of(payload)
            if status == 0:
                with self.lock:
                    del self.files[file_id]
            return status, b""
        if command == QUERY_FILE_INFO:
            status, file_id = self._file_of(payload)
            if status:
                return status, b""
            stored = self.files[file_id]
            info = struct.pack(">QQQ", len(stored.content), stored.created, stored.crc32)
            return 0, info + self._storage_ip_field(self.ip_address_size)
        if command == DOWNLOAD_FILE:
            if len(payload) < 16:
                return errno.EINVAL, b""
            offset, count = struct.unpack(">QQ", payload[:16])
            status, file_id = self._file_of(payload[16:])
            if status:
                return status, b""
            content = self.files[file_id].content
            if offset > len(content) or offset + count > len(content):
                return errno.EINVAL, b""
            return 0, content[offset : offset + count] if count else content[offset:]
        return errno.EINVAL, b""

    # HTTP ---------------------------------------------------------------------------------

    def _http_handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.answer(with_body=True)

            def do_HEAD(self):
                self.answer(with_body=False)

            def answer(self, with_body):
                with fake.lock:
                    fake.requests.append(("http", self.path))
                    stored = fake.files.get(self.path.split("?", 1)[0].lstrip("/"))
                if stored is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", mimetypes.guess_type(self.path)[0] or "application/octet-stream")
                self.send_header("Content-Length", str(len(stored.content)))
                self.end_headers()
                if with_body:
                    self.wfile.write(stored.content)

        return Handler
