"""The FastDFS storage and client against local tracker, storage and HTTP servers that speak FastDFS's protocol."""

import errno
import socket
import socketserver
import struct
import threading
import urllib.request
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from meiduo_mall.utils.fastdfs.client import (
    FILE_ID,
    HEADER,
    FastDFSClient,
    FastDFSError,
    FastDFSFileNotFound,
    FastDFSUnavailable,
    parse_tracker_servers,
)
from meiduo_mall.utils.fastdfs.storage import FastDFSStorage
from tests.fakes.fastdfs_server import FakeFastDFS

PICTURE = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes are bytes \xff\xd9"
TRACKER, STORAGE = "tracker", "storage"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_tracker():
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def tcp_server():
    """Start a one-answer TCP server on 127.0.0.1: `answer(request bytes)` gives the bytes sent back."""
    servers = []

    def start(answer):
        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.sendall(answer(self.request.recv(65536)))

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def babbling_tracker(tcp_server):
    """A tracker that answers every request with a header of the wrong command."""
    return f"127.0.0.1:{tcp_server(lambda request: HEADER.pack(0, 99, 0))}"


def test_an_upload_is_named_by_fastdfs_without_asking_whether_the_name_is_taken(fake_fastdfs):
    name = default_storage.save("skus/Front Photo.JPG", ContentFile(PICTURE))
    assert FILE_ID.fullmatch(name) and name.startswith("group1/M00/") and name.endswith(".jpg")
    assert fake_fastdfs.files[name].content == PICTURE
    # One tracker query and one upload: no exists() probe before it.
    assert fake_fastdfs.commands(TRACKER) == [101]
    assert fake_fastdfs.commands(STORAGE) == [11]


def test_the_url_is_the_base_url_and_file_id_and_serves_the_bytes(fake_fastdfs):
    name = default_storage.save("a.png", ContentFile(PICTURE))
    url = default_storage.url(name)
    assert url == fake_fastdfs.base_url + name
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == PICTURE
        assert response.headers["Content-Type"] == "image/png"


def test_the_same_picture_under_the_same_name_twice_gives_two_files(fake_fastdfs):
    first = default_storage.save("same.jpg", ContentFile(PICTURE))
    second = default_storage.save("same.jpg", ContentFile(PICTURE))
    assert first != second
    assert default_storage.exists(first) and default_storage.exists(second)


def test_exists_size_open_and_delete(fake_fastdfs):
    name = default_storage.save("x.gif", ContentFile(PICTURE))
    assert default_storage.exists(name)
    assert default_storage.size(name) == len(PICTURE)
    with default_storage.open(name) as stored:
        assert stored.read() == PICTURE
    default_storage.delete(name)
    assert name not in fake_fastdfs.files
    assert not default_storage.exists(name)


def test_a_missing_file_does_not_exist_and_deleting_it_succeeds(fake_fastdfs):
    missing = "group1/M00/00/00/wKgBaGZEgMCAFnaMAAABXbxaFk8123.jpg"
    assert not default_storage.exists(missing)
    default_storage.delete(missing)
    assert fake_fastdfs.commands(STORAGE) == [22, 12]  # both asked the storage server
    with pytest.raises(FileNotFoundError):
        default_storage.size(missing)
    with pytest.raises(FileNotFoundError):
        default_storage.open(missing)


def test_a_group_the_tracker_does_not_know_holds_nothing(fake_fastdfs):
    assert not default_storage.exists("group9/M00/00/00/wKgBaGZEgMCAFnaMAAABXbxaFk8123.jpg")
    assert fake_fastdfs.commands(TRACKER) == [102]  # the tracker's ENOENT is the answer; no storage server asked
    assert fake_fastdfs.commands(STORAGE) == []


def test_names_that_are_no_file_ids_exist_nowhere_and_cost_no_round_trip(fake_fastdfs):
    for name in ("skus/a.jpg", "group1/../etc/passwd", "", "group1/M00/00/00/"):
        assert not default_storage.exists(name)
    default_storage.delete("contents/old.jpg")
    assert fake_fastdfs.requests == []


def test_file_info_and_ranged_download(fake_fastdfs, settings):
    client = FastDFSClient(settings.FDFS_TRACKER_SERVERS)
    file_id = client.upload_buffer(PICTURE, "jpg")
    info = client.file_info(file_id)
    assert (info.size, info.crc32, info.source_ip) == (len(PICTURE), zlib.crc32(PICTURE), "127.0.0.1")
    assert info.create_timestamp > 0
    assert client.download(file_id, offset=4, length=6) == PICTURE[4:10]
    assert client.download(file_id, offset=4) == PICTURE[4:]


def test_the_wider_ip_fields_of_fastdfs_6_12_are_understood():
    fake = FakeFastDFS(ip_address_size=46).start()
    try:
        client = FastDFSClient(fake.tracker_address)
        file_id = client.upload_buffer(PICTURE, "png")
        assert client.file_info(file_id).source_ip == "127.0.0.1"
        assert client.download(file_id) == PICTURE
        client.delete(file_id)
        assert fake.files == {}
    finally:
        fake.stop()


def test_a_refused_or_silent_tracker_is_passed_over_for_the_next(fake_fastdfs, settings, silent_tracker, caplog):
    refused = f"127.0.0.1:{free_port()}"
    settings.FDFS_TRACKER_SERVERS = [refused, silent_tracker, fake_fastdfs.tracker_address]
    settings.FDFS_NETWORK_TIMEOUT = 0.3
    name = default_storage.save("a.jpg", ContentFile(PICTURE))
    assert fake_fastdfs.files[name].content == PICTURE
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert any(refused in message for message in warnings)
    assert any(silent_tracker in message and "timed out" in message for message in warnings)


def test_trackers_are_taken_in_turn(fake_fastdfs, settings):
    other = FakeFastDFS().start()
    try:
        settings.FDFS_TRACKER_SERVERS = [fake_fastdfs.tracker_address, other.tracker_address]
        for _ in range(4):
            default_storage.save("a.jpg", ContentFile(PICTURE))
        assert fake_fastdfs.commands(TRACKER).count(101) == other.commands(TRACKER).count(101) == 2
    finally:
        other.stop()


def test_no_tracker_answering_is_a_clear_os_error(fake_fastdfs, settings, silent_tracker):
    refused = f"127.0.0.1:{free_port()}"
    settings.FDFS_TRACKER_SERVERS = f"{refused},{silent_tracker}"
    settings.FDFS_NETWORK_TIMEOUT = 0.3
    with pytest.raises(FastDFSUnavailable) as raised:
        default_storage.save("a.jpg", ContentFile(PICTURE))
    assert isinstance(raised.value, OSError)
    assert "no FastDFS tracker answered" in str(raised.value)
    assert refused in str(raised.value) and silent_tracker in str(raised.value)
    with pytest.raises(FastDFSUnavailable):
        default_storage.exists("group1/M00/00/00/wKgBaGZEgMCAFnaMAAABXbxaFk8123.jpg")


def test_an_answer_outside_the_protocol_is_a_protocol_error(fake_fastdfs, settings, babbling_tracker):
    settings.FDFS_TRACKER_SERVERS = [babbling_tracker]
    with pytest.raises(FastDFSUnavailable, match="answered command 99, not 100"):
        default_storage.save("a.jpg", ContentFile(PICTURE))
    settings.FDFS_TRACKER_SERVERS = [babbling_tracker, fake_fastdfs.tracker_address]
    assert default_storage.save("a.jpg", ContentFile(PICTURE)) in fake_fastdfs.files


def test_a_storage_server_hanging_up_mid_answer_is_a_protocol_error(tcp_server):
    storage_port = tcp_server(lambda request: HEADER.pack(40, 100, 0) + b"only part of it")
    server_answer = b"group1".ljust(16, b"\0") + b"127.0.0.1".ljust(15, b"\0") + struct.pack(">Q", storage_port)
    tracker_port = tcp_server(lambda request: HEADER.pack(len(server_answer), 100, 0) + server_answer)
    client = FastDFSClient(f"127.0.0.1:{tracker_port}", network_timeout=5)
    with pytest.raises(FastDFSError, match="closed the connection mid-answer"):
        client.file_info("group1/M00/00/00/wKgBaGZEgMCAFnaMAAABXbxaFk8123.jpg")


def test_a_storage_server_status_is_raised_as_its_errno(fake_fastdfs):
    fake_fastdfs.full = True
    with pytest.raises(FastDFSError) as raised:
        default_storage.save("a.jpg", ContentFile(PICTURE))
    assert raised.value.errno == errno.ENOSPC
    assert not isinstance(raised.value, FastDFSUnavailable)
    assert fake_fastdfs.files == {}


def test_a_storage_server_that_is_down_is_a_clear_os_error(fake_fastdfs):
    fake_fastdfs.storage.shutdown()
    fake_fastdfs.storage.server_close()
    with pytest.raises(FastDFSUnavailable, match="FastDFS storage 127.0.0.1:"):
        default_storage.save("a.jpg", ContentFile(PICTURE))


def test_content_shorter_than_announced_is_refused(fake_fastdfs, settings):
    client = FastDFSClient(settings.FDFS_TRACKER_SERVERS)
    with pytest.raises(ValueError, match="not 10"):
        client.upload([b"12345"], 10, "jpg")
    assert fake_fastdfs.files == {}


def test_files_open_for_reading_only(fake_fastdfs):
    name = default_storage.save("a.jpg", ContentFile(PICTURE))
    with pytest.raises(ValueError, match="cannot be changed"):
        default_storage.open(name, "wb")


def test_extension_names_fastdfs_cannot_keep_are_dropped(fake_fastdfs):
    assert default_storage.save("archive.tar.gzipped", ContentFile(PICTURE)).count(".") == 0
    assert default_storage.save("noext", ContentFile(PICTURE)).count(".") == 0


def test_settings_and_options():
    assert parse_tracker_servers("10.0.0.1:22122, tracker2 ,[::1]:22123") == [
        ("10.0.0.1", 22122),
        ("tracker2", 22122),
        ("::1", 22123),
    ]
    with pytest.raises(ValueError):
        parse_tracker_servers(" , ")
    storage = FastDFSStorage(base_url="https://image.meiduo.site/")
    assert storage.url("group1/M00/00/00/a b.jpg") == "https://image.meiduo.site/group1/M00/00/00/a%20b.jpg"
    assert storage.deconstruct() == (
        "meiduo_mall.utils.fastdfs.storage.FastDFSStorage",
        (),
        {"base_url": "https://image.meiduo.site/"},
    )
    with pytest.raises(FastDFSFileNotFound):
        storage.size("not/a/file/id")
