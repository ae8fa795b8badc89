"""The compose stack's MariaDB init scripts, run for real on two fresh MariaDB servers.

docker/mariadb/primary/ and docker/mariadb/replica/ are sourced by the mariadb image's entrypoint on a first
start. Here each runs against its own fresh mariadbd (Debian's 10.11, the image's release), started with the
options docker/docker-compose.yml gives it, on loopback ports of this machine. The entrypoint's two helpers the
scripts call are given by the harness below, as the image defines them: `docker_process_sql` runs SQL from
standard input as root over the server's socket, `docker_sql_escape_string_literal` escapes a string literal.
Then the shop's account writes on the primary and reads its row back from the replica.
"""

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import MySQLdb
import pytest

from tests.test_deployment_files import command_words, load_compose

ROOT = Path(__file__).resolve().parent.parent
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
# As in the image's entrypoint: SQL on standard input, as root over the socket; backslash and quote escaped.
ENTRYPOINT_HELPERS = r"""
docker_process_sql() { MYSQL_PWD='' mariadb --no-defaults --protocol=socket -uroot --socket="$SOCKET" "$@"; }
docker_sql_escape_string_literal() {
    local newline=$'\n'
    local escaped=${1//\\/\\\\}
    escaped="${escaped//$newline/\\n}"
    echo "${escaped//\'/\\\'}"
}
set -eo pipefail
. "$1"
"""
SHOP = {
    "DB_NAME": "meiduo_mall",
    "DB_USER": "meiduo",
    "DB_PASSWORD": "it's a \\ secret",
    "DB_REPLICATION_USER": "replicator",
    "DB_REPLICATION_PASSWORD": "repl'pass",
}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, datadir, options):
        self.datadir = datadir
        self.socket = str(datadir.parent / f"{datadir.name}.sock")
        self.port = free_port()
        self.log_path = datadir.parent / f"{datadir.name}.err"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                MARIADBD, "--no-defaults", f"--datadir={datadir}", f"--socket={self.socket}",
                f"--port={self.port}", "--bind-address=127.0.0.1", f"--user={getpass.getuser()}",
                f"--pid-file={datadir.parent / datadir.name}.pid", "--skip-name-resolve",
                "--innodb-buffer-pool-size=32M", *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )  # fmt: skip
        for _ in range(300):
            if self.process.poll() is not None:
                raise AssertionError(self.log_path.read_text())
            if os.path.exists(self.socket):
                return
            time.sleep(0.1)
        raise AssertionError(f"mariadbd on {datadir} did not start")

    def source(self, script, environment):
        result = subprocess.run(
            ["bash", "-c", ENTRYPOINT_HELPERS, "init", str(script)],
            env={"PATH": os.environ["PATH"], "SOCKET": self.socket, **environment},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr

    def connect(self, user, password):
        return MySQLdb.connect(host="127.0.0.1", port=self.port, user=user, password=password, autocommit=True)

    def connect_once_replicated(self, user, password, seconds=30):
        """The replica gets the shop's account by replaying the primary's binary log, some time after it starts."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return self.connect(user, password)
            except MySQLdb.OperationalError as refused:
                if refused.args[0] != 1045 or time.monotonic() > deadline:
                    raise
            time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def server_options(service):
    """The options docker/docker-compose.yml starts a MariaDB service with."""
    return command_words(load_compose()["services"][service])


@pytest.fixture(scope="module")
def servers():
    base = Path(tempfile.mkdtemp(prefix="meiduo-mariadb-"))
    started = []
    try:
        subprocess.run(
            ["mariadb-install-db", "--no-defaults", f"--datadir={base / 'primary'}", f"--user={getpass.getuser()}",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, capture_output=True,
        )  # fmt: skip
        shutil.copytree(base / "primary", base / "replica", symlinks=True)
        primary = Server(base / "primary", server_options("mariadb"))
        started.append(primary)
        primary.source(ROOT / "docker/mariadb/primary/10-shop-database.sh", SHOP)
        replica = Server(base / "replica", server_options("mariadb-replica"))
        started.append(replica)
        replica.source(
            ROOT / "docker/mariadb/replica/10-replicate-primary.sh",
            {**SHOP, "DB_HOST": "127.0.0.1", "DB_PORT": str(primary.port)},
        )
        yield primary, replica
    finally:
        for server in reversed(started):
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


def wait_for_row(connection, query, expected, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        cursor = connection.cursor()
        try:
            cursor.execute(query)
            rows = cursor.fetchall()
        except MySQLdb.ProgrammingError:
            rows = ()
        if rows == expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_the_shop_writes_on_the_primary_and_reads_from_the_replica(servers):
    primary, replica = servers
    writer = primary.connect(SHOP["DB_USER"], SHOP["DB_PASSWORD"])
    writer.cursor().execute("CREATE TABLE meiduo_mall.tb_probe (id INT PRIMARY KEY, name VARCHAR(20))")
    writer.cursor().execute("INSERT INTO meiduo_mall.tb_probe VALUES (1, '美多')")
    # The replica got the shop's account and database from the primary's binary log, then the row.
    reader = replica.connect_once_replicated(SHOP["DB_USER"], SHOP["DB_PASSWORD"])
    assert wait_for_row(reader, "SELECT id, name FROM meiduo_mall.tb_probe", ((1, "美多"),)) == ((1, "美多"),)


def test_the_replica_replicates_by_gtid_and_refuses_the_shops_writes(servers):
    _primary, replica = servers
    cursor = replica.connect_once_replicated(SHOP["DB_USER"], SHOP["DB_PASSWORD"]).cursor()
    with pytest.raises(MySQLdb.OperationalError) as refused:
        cursor.execute("CREATE TABLE meiduo_mall.tb_written_on_replica (id INT)")
    assert refused.value.args[0] == 1290  # ER_OPTION_PREVENTS_STATEMENT: --read-only
    status = subprocess.run(
        ["mariadb", "--no-defaults", "--protocol=socket", "-uroot", f"--socket={replica.socket}", "-e",
         "SHOW SLAVE STATUS\\G"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "Using_Gtid: Slave_Pos" in status
    assert "Slave_IO_Running: Yes" in status and "Slave_SQL_Running: Yes" in status


def test_only_the_primary_has_the_replication_account(servers):
    primary, replica = servers
    assert primary.connect(SHOP["DB_REPLICATION_USER"], SHOP["DB_REPLICATION_PASSWORD"])
    with pytest.raises(MySQLdb.OperationalError) as denied:
        replica.connect(SHOP["DB_REPLICATION_USER"], SHOP["DB_REPLICATION_PASSWORD"])
    assert denied.value.args[0] == 1045  # access denied: the account was written with binary logging off
