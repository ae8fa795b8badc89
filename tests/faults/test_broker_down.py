"""The Celery broker (a Redis or a RabbitMQ of its own) stopped, and Redis stalled, while the shop (uwsgi in a
subprocess) is asked for SMS codes: 503 JSON within the broker's timeouts, and nothing left behind that would
make the shopper wait 60 s or count against their limits; once the broker is back the same request succeeds
without a restart."""

import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest
from django_redis import get_redis_connection
from kombu import Connection
from kombu.exceptions import OperationalError
from redis import Redis

from tests.faults.shop_process import free_port, shop_server

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# Debian's script itself, not /usr/sbin's wrapper, which would run the node as the rabbitmq account.
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
QUEUE = "celery"
UNAVAILABLE = {"message": "短信服务暂不可用，请稍后再试"}


class Broker:
    """A throwaway redis-server on its own port, stopped and started again on that port by the test."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                Redis.from_url(self.url).ping()
                return
            except Exception:
                assert time.monotonic() < deadline, "the broker did not start"
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def queued(self):
        return Redis.from_url(self.url).llen(QUEUE)


class RabbitMQ:
    """A throwaway RabbitMQ node (its own name, ports, data and logs), stopped and started again on its port;
    the shared node on 5672 is never touched. The guest account may connect from loopback."""

    def __init__(self, directory):
        self.port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"
        (directory / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        (directory / "enabled_plugins").write_text("[].\n")
        self.log_path = directory / "rabbitmq.out"
        self.env = {
            **os.environ,
            "RABBITMQ_NODENAME": f"meiduo-faults-{self.port}@localhost",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(directory / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(directory / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(directory / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(directory / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(directory / "rabbitmq.pid"),
        }
        self.process = None

    def start(self):
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [RABBITMQ_SERVER], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while True:
            assert self.process.poll() is None, self.log_path.read_text(errors="replace")
            try:
                with Connection(self.url, connect_timeout=1) as connection:
                    connection.connect()
                return
            except (OSError, OperationalError):
                assert time.monotonic() < deadline, f"RabbitMQ did not start:\n{self.log_path.read_text()}"
                time.sleep(0.25)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGCONT)
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def queued(self):
        with Connection(self.url) as connection:
            return connection.default_channel.queue_declare(QUEUE, passive=True).message_count


@pytest.fixture
def broker(tmp_path):
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    if broker.process.poll() is None:
        broker.process.send_signal(signal.SIGCONT)
        broker.stop()


@pytest.fixture
def rabbitmq(tmp_path):
    broker = RabbitMQ(tmp_path)
    broker.start()
    yield broker
    if broker.process.poll() is None:
        broker.stop()


def ask_for_sms(shop, mobile):
    """V2 as the registration page asks: a captcha fetched, its text read back from Redis, then the SMS."""
    image_code_id = str(uuid.uuid4())
    shop.get(f"/image_codes/{image_code_id}/")
    text = get_redis_connection("verify_codes").get(f"img_{image_code_id}").decode()
    return shop.get(f"/sms_codes/{mobile}/", params={"text": text, "image_code_id": image_code_id})


def sms_state(mobile):
    redis = get_redis_connection("verify_codes")
    return {
        "code": redis.get(f"sms_{mobile}"),
        "flag": redis.get(f"send_flag_{mobile}"),
        "mobile_count": int(redis.get(f"sms_count_mobile_{mobile}") or 0),
    }


def assert_refused_and_withdrawn(response, mobile):
    """The SMS request was answered 503 JSON and left nothing behind: no code, no 60 s flag, no count."""
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == UNAVAILABLE
    assert sms_state(mobile) == {"code": None, "flag": None, "mobile_count": 0}


@pytest.mark.django_db(transaction=True)
def test_sms_request_with_the_broker_stopped_then_stalled_is_a_503_and_can_be_retried_at_once(broker, tmp_path):
    with shop_server(tmp_path / "uwsgi.log", CELERY_BROKER_URL=broker.url) as shop:
        response, _ = ask_for_sms(shop, "13800000001")
        assert response.status_code == 200, shop.log()
        assert broker.queued() == 1

        broker.stop()
        response, stopped_seconds = ask_for_sms(shop, "13800000002")

        assert_refused_and_withdrawn(response, "13800000002")

        broker.start()
        # The shop's pooled connection died with the broker: the publish retry opens a new one.
        response, _ = ask_for_sms(shop, "13800000002")

        assert response.status_code == 200, shop.log()
        assert broker.queued() == 1
        state = sms_state("13800000002")
        assert state["code"] is not None and state["flag"] is not None and state["mobile_count"] == 1

        broker.process.send_signal(signal.SIGSTOP)
        response, stalled_seconds = ask_for_sms(shop, "13800000003")
        broker.process.send_signal(signal.SIGCONT)

        assert_refused_and_withdrawn(response, "13800000003")
    print(f"\nSMS request answered 503 in {stopped_seconds:.2f} s (broker stopped), {stalled_seconds:.2f} s (stalled)")


@pytest.mark.django_db(transaction=True)
def test_sms_request_with_rabbitmq_stopped_is_a_503_and_works_again_once_it_is_back(rabbitmq, tmp_path):
    with shop_server(tmp_path / "uwsgi.log", CELERY_BROKER_URL=rabbitmq.url) as shop:
        response, _ = ask_for_sms(shop, "13800000011")
        assert response.status_code == 200, shop.log()
        assert rabbitmq.queued() == 1

        rabbitmq.stop()
        response, stopped_seconds = ask_for_sms(shop, "13800000012")

        assert_refused_and_withdrawn(response, "13800000012")

        rabbitmq.start()
        response, _ = ask_for_sms(shop, "13800000012")

        assert response.status_code == 200, shop.log()
        assert rabbitmq.queued() == 2

        # Stalled, the node still has the shop's connection: the publish goes into its socket buffer, and the
        # task into the queue once the node runs again.
        os.killpg(rabbitmq.process.pid, signal.SIGSTOP)
        response, _ = ask_for_sms(shop, "13800000013")
        os.killpg(rabbitmq.process.pid, signal.SIGCONT)

        assert response.status_code == 200, shop.log()
        deadline = time.monotonic() + 10
        while rabbitmq.queued() < 3:
            assert time.monotonic() < deadline, "the stalled publish never reached the queue"
            time.sleep(0.1)
    print(f"\nSMS request answered 503 in {stopped_seconds:.2f} s (RabbitMQ stopped)")
