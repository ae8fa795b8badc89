"""A small FastDFS client: upload, download, delete and file info over FastDFS's own TCP protocol.

A request asks a tracker which storage server to use (trackers are tried in turn, the next one when
one cannot be reached or answers nonsense), then talks to that storage server. Every packet is a
10-byte header (8-byte big-endian body length, command, status) and a body; an answer's status is 0
or an errno. Command numbers and layouts are those of FastDFS's tracker/tracker_proto.h and
storage/storage_service.c, V5 and V6; the IP fields are 15 or 45 bytes wide (IPv6 builds, 6.12+).

Why our own: fastdfs-client 1.3.0 (PyPI) loops forever when a server closes the connection
mid-answer, takes one port for all trackers, picks a tracker at random for every attempt, has no
file info command and raises exceptions unrelated to OSError; fdfs-client-py is unmaintained.
"""

import errno
import itertools
import logging
import os
import re
import socket
import struct
from contextlib import contextmanager
from dataclasses import dataclass

logger = logging.getLogger("meiduo")

HEADER = struct.Struct(">QBB")
GROUP_NAME_LEN = 16
EXT_NAME_LEN = 6
# IP_ADDRESS_SIZE is 16 in IPv4 builds and 46 since FastDFS 6.12; tracker answers carry one byte less.
# Answers are parsed by their length, so either width works.
MIN_IP_ADDRESS_SIZE = 16
DEFAULT_TRACKER_PORT = 22122

CMD_RESP = 100
CMD_QUIT = 82
TRACKER_QUERY_STORE_WITHOUT_GROUP_ONE = 101
TRACKER_QUERY_FETCH_ONE = 102
TRACKER_QUERY_UPDATE = 103
STORAGE_UPLOAD_FILE = 11
STORAGE_DELETE_FILE = 12
STORAGE_DOWNLOAD_FILE = 14
STORAGE_QUERY_FILE_INFO = 22

# "group1/M00/00/00/wKgBaF...jpg": group, store path, two directory levels, a name in FastDFS's base64.
FILE_ID = re.compile(r"(?P<group>[A-Za-z0-9_.-]{1,16})/(?P<remote>M[0-9A-F]{2}/[0-9A-F]{2}/[0-9A-F]{2}/[\w.-]+)")
EXT_NAME = re.compile(r"[A-Za-z0-9]{0,6}")


class FastDFSError(OSError):
    """A FastDFS failure. `errno` is the status a server answered, or the socket error."""


class FastDFSFileNotFound(FastDFSError, FileNotFoundError):
    """The file id names no file (the server answered ENOENT, or it is not a FastDFS file id)."""


class FastDFSUnavailable(FastDFSError, ConnectionError):
    """No tracker, or not the storage server it named, could be reached or understood."""


class ProtocolError(FastDFSError):
    """A server answered something the protocol does not allow."""


def status_error(status, action, file_id=""):
    what = f"FastDFS {action}{' ' + file_id if file_id else ''}: {os.strerror(status)} (status {status})"
    if status == errno.ENOENT:
        return FastDFSFileNotFound(status, what)
    return FastDFSError(status, what)


def split_file_id(file_id):
    """("group1", "M00/00/00/xxx.jpg") of a file id; FastDFSFileNotFound for a name that is not one."""
    match = FILE_ID.fullmatch(file_id or "")
    if match is None:
        raise FastDFSFileNotFound(errno.ENOENT, f"not a FastDFS file id: {file_id!r}")
    return match["group"], match["remote"]


def parse_tracker_servers(servers):
    """[(host, port)] of "host:port,host:port" or a list of such; IPv6 hosts in brackets."""
    if isinstance(servers, str):
        servers = servers.split(",")
    addresses = []
    for server in (item.strip() for item in servers):
        if not server:
            continue
        host, colon, port = server.rpartition(":")
        if not colon or "]" in port:
            host, port = server, str(DEFAULT_TRACKER_PORT)
        addresses.append((host.strip("[]"), int(port)))
    if not addresses:
        raise ValueError("FDFS_TRACKER_SERVERS names no tracker")
    return addresses


@dataclass(frozen=True)
class StorageServer:
    group: str
    host: str
    port: int
    store_path_index: int = 0


@dataclass(frozen=True)
class FileInfo:
    size: int
    create_timestamp: int
    crc32: int
    source_ip: str


def decode_text(raw):
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


class Connection:
    """One TCP connection to a tracker or storage server, closed with QUIT like FastDFS's own client does."""

    def __init__(self, address, connect_timeout, network_timeout):
        self.address = address
        self.sock = socket.create_connection(address, timeout=connect_timeout)
        self.sock.settimeout(network_timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            if exc_info[0] is None:
                self.sock.sendall(HEADER.pack(0, CMD_QUIT, 0))
        except OSError:
            pass
        finally:
            self.sock.close()

    def send(self, command, body_length, *parts):
        self.sock.sendall(HEADER.pack(body_length, command, 0) + b"".join(parts))

    def send_stream(self, chunks, size):
        sent = 0
        for chunk in chunks:
            sent += len(chunk)
            if sent > size:
                break
            self.sock.sendall(chunk)
        if sent != size:
            raise ValueError(f"the content is {sent if sent < size else 'more than ' + str(size)} bytes, not {size}")

    def receive(self, limit=None):
        """(status, body) of the answer; a body over `limit` bytes is a protocol error."""
        length, command, status = HEADER.unpack(self.read_exactly(HEADER.size))
        if command != CMD_RESP:
            raise ProtocolError(errno.EPROTO, f"{self.name}: answered command {command}, not {CMD_RESP}")
        if limit is not None and length > limit:
            raise ProtocolError(errno.EPROTO, f"{self.name}: answered {length} bytes, at most {limit} expected")
        return status, self.read_exactly(length)

    def read_exactly(self, size):
        buffer = bytearray()
        while len(buffer) < size:
            chunk = self.sock.recv(min(size - len(buffer), 1 << 20))
            if not chunk:
                raise ProtocolError(errno.ECONNRESET, f"{self.name}: closed the connection mid-answer")
            buffer += chunk
        return bytes(buffer)

    @property
    def name(self):
        return f"{self.address[0]}:{self.address[1]}"


class FastDFSClient:
    def __init__(self, tracker_servers, connect_timeout=3.0, network_timeout=30.0):
        self.trackers = parse_tracker_servers(tracker_servers)
        self.connect_timeout = connect_timeout
        self.network_timeout = network_timeout
        self._turn = itertools.count()

    # Public commands ----------------------------------------------------------------------

    def upload(self, chunks, size, ext_name=""):
        """Store `size` bytes given as an iterable of bytes; returns the file id FastDFS chose."""
        if not EXT_NAME.fullmatch(ext_name):
            raise ValueError(f"FastDFS extension names are up to {EXT_NAME_LEN} letters or digits: {ext_name!r}")
        server = self._query_tracker(TRACKER_QUERY_STORE_WITHOUT_GROUP_ONE, b"", with_path_index=True)
        fixed = struct.pack(">BQ", server.store_path_index, size) + ext_name.encode().ljust(EXT_NAME_LEN, b"\0")
        with self._storage_session(server) as connection:
            connection.send(STORAGE_UPLOAD_FILE, len(fixed) + size, fixed)
            connection.send_stream(chunks, size)
            status, body = connection.receive(limit=GROUP_NAME_LEN + 256)
        if status:
            raise status_error(status, "upload")
        if len(body) <= GROUP_NAME_LEN:
            raise ProtocolError(errno.EPROTO, f"FastDFS upload answered {len(body)} bytes, no file name")
        file_id = f"{decode_text(body[:GROUP_NAME_LEN])}/{body[GROUP_NAME_LEN:].decode('ascii')}"
        split_file_id(file_id)
        return file_id

    def upload_buffer(self, data, ext_name=""):
        return self.upload([data], len(data), ext_name)

    def download(self, file_id, offset=0, length=0):
        """The file's bytes from `offset`, `length` of them (0: to the end)."""
        prefix = struct.pack(">QQ", offset, length)
        return self._ask_storage(TRACKER_QUERY_FETCH_ONE, STORAGE_DOWNLOAD_FILE, "download", file_id, prefix)

    def delete(self, file_id):
        self._ask_storage(TRACKER_QUERY_UPDATE, STORAGE_DELETE_FILE, "delete", file_id, limit=0)

    def file_info(self, file_id):
        answer = self._ask_storage(TRACKER_QUERY_FETCH_ONE, STORAGE_QUERY_FILE_INFO, "query", file_id, limit=128)
        if len(answer) < 24:
            raise ProtocolError(errno.EPROTO, f"FastDFS file info of {file_id} is {len(answer)} bytes")
        size, created, crc32 = struct.unpack(">QQQ", answer[:24])
        return FileInfo(size, created, crc32 & 0xFFFFFFFF, decode_text(answer[24:]))

    # Protocol -----------------------------------------------------------------------------

    def _ask_storage(self, tracker_command, command, action, file_id, prefix=b"", limit=None):
        """Ask the tracker for the file's storage server, then send it `command` with `prefix` + group + name."""
        group, remote = split_file_id(file_id)
        group_and_name = group.encode().ljust(GROUP_NAME_LEN, b"\0") + remote.encode()
        server = self._query_tracker(tracker_command, group_and_name, file_id=file_id)
        body = prefix + group_and_name
        with self._storage_session(server) as connection:
            connection.send(command, len(body), body)
            status, answer = connection.receive(limit)
        if status:
            raise status_error(status, action, file_id)
        return answer

    @contextmanager
    def _storage_session(self, server):
        """A connection to the storage server the tracker named; socket failures become FastDFSUnavailable."""
        try:
            with Connection((server.host, server.port), self.connect_timeout, self.network_timeout) as connection:
                yield connection
        except FastDFSError:
            raise
        except OSError as exc:
            raise FastDFSUnavailable(exc.errno, f"FastDFS storage {server.host}:{server.port}: {exc}") from exc

    def _trackers_in_turn(self):
        start = next(self._turn) % len(self.trackers)
        return self.trackers[start:] + self.trackers[:start]

    def _query_tracker(self, command, body, with_path_index=False, file_id=""):
        failures = []
        for address in self._trackers_in_turn():
            try:
                with Connection(address, self.connect_timeout, self.network_timeout) as connection:
                    connection.send(command, len(body), body)
                    status, answer = connection.receive(limit=GROUP_NAME_LEN + 64)
                    if status == 0:
                        server = self._parse_storage_server(answer, with_path_index, connection.name)
            except OSError as exc:
                logger.warning("FastDFS tracker %s:%s failed: %s", *address, exc)
                failures.append(f"{address[0]}:{address[1]}: {exc}")
                continue
            if status:
                raise status_error(status, "tracker query", file_id)
            return server
        raise FastDFSUnavailable(errno.EHOSTUNREACH, "no FastDFS tracker answered (" + "; ".join(failures) + ")")

    @staticmethod
    def _parse_storage_server(answer, with_path_index, tracker):
        tail = 8 + (1 if with_path_index else 0)
        ip_length = len(answer) - GROUP_NAME_LEN - tail
        if ip_length + 1 < MIN_IP_ADDRESS_SIZE:
            raise ProtocolError(errno.EPROTO, f"tracker {tracker}: a storage server answer of {len(answer)} bytes")
        host = decode_text(answer[GROUP_NAME_LEN : GROUP_NAME_LEN + ip_length])
        port = struct.unpack(">Q", answer[GROUP_NAME_LEN + ip_length : GROUP_NAME_LEN + ip_length + 8])[0]
        index = answer[-1] if with_path_index else 0
        return StorageServer(decode_text(answer[:GROUP_NAME_LEN]), host, port, index)
