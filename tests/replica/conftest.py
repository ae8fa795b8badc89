"""The real replica of scripts/replica.sh, seen by the tests directly (not through Django's "replica" alias, whose
queries the guard watches): marker rows that only the replica holds, and waiting for it to catch up."""

import socket
import subprocess
import threading
from pathlib import Path

import MySQLdb
import pytest
from django.conf import settings
from django.db import connections

from meiduo_mall.utils.db_router import replica_breaker

CATCH_UP_SECONDS = 30
REPLICA_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "replica.sh"


def primary_position():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT @@gtid_binlog_pos")
        return cursor.fetchone()[0]


class ReplicaServer:
    def __init__(self, database):
        self.database = database
        self.connection = None

    def connect(self):
        replica = settings.DATABASES["replica"]
        self.connection = MySQLdb.connect(
            host=replica["HOST"],
            port=replica["PORT"],
            user=replica["USER"],
            password=replica["PASSWORD"],
            charset="utf8mb4",
            autocommit=True,
        )
        return self

    def query(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def status(self):
        with self.connection.cursor(MySQLdb.cursors.DictCursor) as cursor:
            cursor.execute("SHOW SLAVE STATUS")
            return cursor.fetchone() or {}

    def catch_up(self):
        """Wait until the replica has applied everything committed on the primary so far."""
        position = primary_position()
        ((reached,),) = self.query("SELECT MASTER_GTID_WAIT(%s, %s)", [position, CATCH_UP_SECONDS])
        status = self.status()
        assert reached == 0, f"replica did not reach {position}: {status.get('Last_Error') or status}"

    def mark(self, instance, field, value):
        """Give `instance`'s row another `field` on the replica only: seeing `value` proves a replica read."""
        self.catch_up()
        meta = type(instance)._meta
        column = meta.get_field(field).column
        self.query(
            f"UPDATE `{self.database}`.`{meta.db_table}` SET `{column}` = %s WHERE `{meta.pk.column}` = %s",
            [value, instance.pk],
        )
        return value


def replica_script(command):
    subprocess.run(["bash", str(REPLICA_SCRIPT), command], check=True, capture_output=True)


@pytest.fixture(scope="session")
def replica_server(django_db_setup, django_db_blocker):
    """The replica, replicating this session's test database; scripts/replica.sh starts it (services.sh runs it)."""
    replica = settings.DATABASES["replica"]
    server = ReplicaServer(connections["default"].settings_dict["NAME"])
    try:
        server.connect()
    except MySQLdb.OperationalError as exc:
        pytest.fail(f"no replica at {replica['HOST']}:{replica['PORT']} ({exc}): run scripts/replica.sh")
    status = server.status()
    if (status.get("Slave_IO_Running"), status.get("Slave_SQL_Running")) != ("Yes", "Yes"):
        pytest.fail(f"the replica does not replicate ({status.get('Last_Error')}): run scripts/replica.sh")
    with django_db_blocker.unblock():
        server.catch_up()
    if not server.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [server.database]):
        pytest.fail(f"the replica lacks {server.database}: restart it (scripts/replica.sh stop; scripts/replica.sh)")
    yield server
    server.connection.close()


@pytest.fixture
def replica(replica_server, settings):
    """Replica reads on, the breaker closed, and the replica server for marker rows."""
    settings.DB_REPLICA_READS = True
    replica_breaker.reset()
    yield replica_server
    replica_breaker.reset()
    connections["replica"].close()


@pytest.fixture
def stopped_replica(replica):
    """The replica server stopped for one test, started (and seeded again) afterwards."""
    connections["replica"].close()
    replica_script("stop")
    try:
        yield replica
    finally:
        replica_script("start")
        replica.connect()


class SilentServer:
    """A TCP server that accepts connections and never says a word: a hung replica."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def hung_replica(replica):
    """The "replica" alias pointed at a server that never answers, with a one-second connect timeout."""
    server = SilentServer()
    alias = connections["replica"]
    alias.close()
    saved = {key: alias.settings_dict[key] for key in ("HOST", "PORT", "OPTIONS")}
    alias.settings_dict.update(HOST="127.0.0.1", PORT=server.port, OPTIONS={**saved["OPTIONS"], "connect_timeout": 1})
    yield server
    alias.close()
    alias.settings_dict.update(saved)
    server.close()
