"""Django file storage on FastDFS, for STORAGES["default"] in production.

FastDFS names every file itself: the name saved in an ImageField is the file id it answers
("group1/M00/00/00/wKgBaF....jpg", the extension kept from the upload), and url() is
FDFS_BASE_URL + file id, served by the nginx module of the storage servers. Settings are read on
every call unless given as OPTIONS, so tests and `override_settings` can point it elsewhere.
"""

import os

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.encoding import filepath_to_uri

from .client import EXT_NAME, FastDFSClient, FastDFSFileNotFound


def ext_name_of(name):
    """The extension FastDFS keeps on the file id: up to 6 letters or digits, else none."""
    ext = os.path.splitext(name or "")[1].lstrip(".").lower()
    return ext if ext and EXT_NAME.fullmatch(ext) else ""


@deconstructible(path="meiduo_mall.utils.fastdfs.storage.FastDFSStorage")
class FastDFSStorage(Storage):
    def __init__(self, tracker_servers=None, base_url=None, connect_timeout=None, network_timeout=None):
        self._tracker_servers = tracker_servers
        self._base_url = base_url
        self._connect_timeout = connect_timeout
        self._network_timeout = network_timeout
        self._client = None

    @property
    def client(self):
        servers = self._tracker_servers or settings.FDFS_TRACKER_SERVERS
        config = (
            servers if isinstance(servers, str) else tuple(servers),
            self._connect_timeout or settings.FDFS_CONNECT_TIMEOUT,
            self._network_timeout or settings.FDFS_NETWORK_TIMEOUT,
        )
        # One client per configuration, so that successive requests take the trackers in turn.
        if self._client is None or self._client[0] != config:
            self._client = (config, FastDFSClient(config[0], connect_timeout=config[1], network_timeout=config[2]))
        return self._client[1]

    @property
    def base_url(self):
        return self._base_url or settings.FDFS_BASE_URL

    def get_available_name(self, name, max_length=None):
        # FastDFS chooses a fresh name for every upload; asking whether `name` is taken would be a wasted round trip.
        return name

    def _save(self, name, content):
        return self.client.upload(content.chunks(), content.size, ext_name_of(name))

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wa+"):
            raise ValueError(f"FastDFS files cannot be changed, open them for reading: mode {mode!r}")
        return ContentFile(self.client.download(name), name=name)

    def delete(self, name):
        if not name:
            raise ValueError("The name must be given to delete().")
        try:
            self.client.delete(name)
        except FastDFSFileNotFound:
            # Like FileSystemStorage: deleting what is already gone succeeds.
            pass

    def exists(self, name):
        try:
            self.client.file_info(name)
        except FastDFSFileNotFound:
            return False
        return True

    def size(self, name):
        return self.client.file_info(name).size

    def url(self, name):
        return self.base_url.rstrip("/") + "/" + filepath_to_uri(name).lstrip("/")
