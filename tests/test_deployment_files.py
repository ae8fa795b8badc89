"""docker/docker-compose.yml and the files it uses, checked without a Docker engine.

The compose file is validated against the Compose Specification's JSON schema (as shipped in the
check-jsonschema package), then checked for what the schema cannot express: the files it builds from and mounts
exist, dependencies name services and wait for health or completion, the release step runs before the shop,
nginx reaches uwsgi by the app's service name, and the root .env is the only configuration. Each check is a
function listing problems, run on the shipped files and on a broken copy, so none of them passes vacuously.
"""

import importlib.resources
import json
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
import yaml

from tests.test_env_example import SETTINGS_DIR, SettingsModules, env_example_variables

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_DIR = ROOT / "docker"
COMPOSE_FILE = COMPOSE_DIR / "docker-compose.yml"
ROOT_ENV = ROOT / ".env"
SHOP_SERVICES = ("migrate", "app", "worker", "beat")
STATEFUL_SERVICES = ("mariadb", "mariadb-replica", "redis", "elasticsearch", "fdfs-tracker", "fdfs-storage")
NGINX_SITE_SCRIPT = "/docker-entrypoint.d/40-meiduo-site.sh"


def load_compose(text=None):
    return yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)


@pytest.fixture(scope="module")
def compose():
    return load_compose()


def unshared_copy(compose):
    """A copy to break: YAML anchors share one object between services, which a deep copy would keep."""
    return json.loads(json.dumps(compose))


def compose_schema():
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath("compose-spec.json").read_text())


def schema_errors(document):
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def from_compose_dir(relative):
    return (COMPOSE_DIR / relative).resolve()


def env_files(service):
    entries = service.get("env_file", [])
    entries = [entries] if isinstance(entries, str | dict) else entries
    return [entry["path"] if isinstance(entry, dict) else entry for entry in entries]


def mounts(service):
    """(source, target, read_only, kind) for each volume entry; kind is "bind" or "volume"."""
    for entry in service.get("volumes", []):
        if isinstance(entry, dict):
            yield entry.get("source"), entry["target"], bool(entry.get("read_only")), entry["type"]
            continue
        source, target, *options = entry.split(":")
        kind = "bind" if source.startswith((".", "/", "~")) else "volume"
        yield source, target, "ro" in options, kind


def conditions(service):
    depends_on = service.get("depends_on", {})
    if isinstance(depends_on, list):
        return dict.fromkeys(depends_on, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in depends_on.items()}


def command_words(service):
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else command


def has_healthcheck(service):
    check = service.get("healthcheck") or {}
    return bool(check.get("test")) and not check.get("disable") and check.get("test") != ["NONE"]


# Checks --------------------------------------------------------------------------------------------------------


def problems_with_files(compose):
    problems = []
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            context = from_compose_dir(build if isinstance(build, str) else build.get("context", "."))
            dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
            if not dockerfile.is_file():
                problems.append(f"{name}: no Dockerfile at {dockerfile}")
            if ROOT not in (context, *context.parents):
                problems.append(f"{name}: build context {context} is outside the repository")
        for source, _target, _read_only, kind in mounts(service):
            if kind == "bind":
                path = from_compose_dir(source)
                if not path.exists():
                    problems.append(f"{name}: mounts {source}, which does not exist")
                elif ROOT not in path.parents:
                    problems.append(f"{name}: mounts {source}, outside the repository")
            elif source not in (compose.get("volumes") or {}):
                problems.append(f"{name}: volume {source} is not declared under volumes")
        for secret in service.get("secrets", []):
            secret = secret if isinstance(secret, str) else secret["source"]
            if secret not in (compose.get("secrets") or {}):
                problems.append(f"{name}: secret {secret} is not declared under secrets")
    return problems


def problems_with_dependencies(compose):
    services = compose["services"]
    problems = []
    for name, service in services.items():
        for other, condition in conditions(service).items():
            if other not in services:
                problems.append(f"{name} depends on {other}, which is no service")
            elif other == name:
                problems.append(f"{name} depends on itself")
            elif condition == "service_healthy" and not has_healthcheck(services[other]):
                problems.append(f"{name} waits for {other} to be healthy, but {other} has no health check")
            elif condition == "service_completed_successfully" and services[other].get("restart", "no") != "no":
                problems.append(f"{name} waits for {other} to complete, but {other} is restarted")
    return problems


def problems_with_health_checks(compose):
    services = compose["services"]
    return [
        f"{name} has no health check" if name in services else f"{name} is missing from the stack"
        for name in (*STATEFUL_SERVICES, "app", "nginx")
        if name not in services or not has_healthcheck(services[name])
    ]


def problems_with_release_order(compose):
    services = compose["services"]
    problems = []
    migrate = services.get("migrate")
    if migrate is None:
        return ["no one-shot migrate service"]
    if migrate.get("restart", "no") != "no":
        problems.append("migrate is restarted: a one-shot step must run once per deploy")
    script = next((word for word in command_words(migrate) if word.endswith(".sh")), None)
    release = (ROOT / script).read_text() if script and (ROOT / script).is_file() else ""
    for step in ("manage.py migrate", "manage.py collectstatic"):
        if step not in release:
            problems.append(f"migrate's command does not run {step}")
    for name in SHOP_SERVICES[1:]:
        if conditions(services.get(name, {})).get("migrate") != "service_completed_successfully":
            problems.append(f"{name} does not wait for migrate to complete successfully")
    return problems


def problems_with_env_file(compose, text):
    problems = []
    for name, service in compose["services"].items():
        for env_file in env_files(service):
            if from_compose_dir(env_file) != ROOT_ENV:
                problems.append(f"{name} reads {env_file}, not the repository root's .env")
    for name in (*SHOP_SERVICES, "mariadb", "mariadb-replica"):
        if name in compose["services"] and not env_files(compose["services"][name]):
            problems.append(f"{name} does not read the root .env")
    # Compose interpolates ${X} from the shell or from a .env beside the compose file: a second source.
    if "$" in text.replace("$$", ""):
        problems.append("the compose file interpolates variables; every value must come from the root .env")
    return problems


def nginx_upstreams(config):
    config = re.sub(r"#[^\n]*", "", config)
    upstreams = {
        name: re.findall(r"\bserver\s+([^\s;]+)", body)
        for name, body in re.findall(r"\bupstream\s+(\S+)\s*\{([^}]*)\}", config)
    }
    targets = set()
    for target in re.findall(r"\b(?:uwsgi_pass|proxy_pass)\s+([^\s;]+)\s*;", config):
        target = re.sub(r"^\w+://", "", target)
        targets.update(upstreams.get(target, [target]))
    return targets


def rendered_nginx_site(nginx, tmp_path):
    """The site nginx serves: the mounted nginx.conf as the mounted site script installs it."""
    script = next((source for source, target, *_ in mounts(nginx) if target == NGINX_SITE_SCRIPT), None)
    site = next((source for source, target, *_ in mounts(nginx) if target.endswith("nginx.conf")), None)
    if script is None or site is None:
        return None
    target = tmp_path / "default.conf"
    environment = {
        "PATH": "/usr/bin:/bin",
        "MEIDUO_NGINX_SITE": str(from_compose_dir(site)),
        "MEIDUO_NGINX_TARGET": str(target),
        **{key: str(value) for key, value in (nginx.get("environment") or {}).items()},
    }
    subprocess.run(["sh", str(from_compose_dir(script))], env=environment, check=True, capture_output=True)
    return target.read_text()


def uwsgi_ini_option(name):
    options = re.findall(rf"^{re.escape(name)}\s*=\s*(.+)$", (ROOT / "uwsgi.ini").read_text(), re.MULTILINE)
    return options[0].strip() if options else None


def problems_with_nginx(compose, config):
    services = compose["services"]
    app_socket = str((services["app"].get("environment") or {}).get("MEIDUO_UWSGI_SOCKET", ""))
    host, _, port = app_socket.rpartition(":")
    problems = []
    if host != "0.0.0.0" or not port.isdigit():
        problems.append(f"app's uwsgi listens on {app_socket!r}, which another container cannot reach")
    if config is None:
        return [*problems, "nginx does not install the repository's nginx.conf with docker/nginx-site.sh"]
    targets = nginx_upstreams(config)
    if not targets:
        problems.append("nginx passes no request to uwsgi")
    for target in targets:
        if target != f"app:{port}":
            problems.append(f"nginx passes requests to {target}, not to the app service (app:{port})")
    if "uwsgi_pass" in config and uwsgi_ini_option("socket") is None:
        problems.append("nginx speaks the uwsgi protocol but uwsgi.ini has no uwsgi-protocol socket")
    if conditions(services["nginx"]).get("app") != "service_healthy":
        problems.append("nginx does not wait for the app to be healthy")
    return problems


def problems_with_shared_volumes(compose, config):
    """nginx serves static files and pages from the volumes the release step and the worker write."""
    services = compose["services"]
    nginx_mounts = {target: source for source, target, _ro, kind in mounts(services["nginx"]) if kind == "volume"}
    problems = []
    if config is None:
        return ["no nginx site to compare with"]
    config = re.sub(r"#[^\n]*", "", config)
    static_alias = re.search(r"location\s+\^~\s+/static/\s*\{[^}]*\balias\s+([^;\s]+);", config)
    page_roots = set(re.findall(r"^\s*root\s+([^;\s]+);", config, re.MULTILINE))
    shop_environment = services["migrate"].get("environment") or {}

    def volume_at(service, path):
        return next((s for s, t, _ro, kind in mounts(services[service]) if kind == "volume" and t == path), None)

    if static_alias is None:
        problems.append("nginx.conf has no /static/ alias")
    else:
        static_dir = str(PurePosixPath(static_alias.group(1)))
        if nginx_mounts.get(static_dir) is None or nginx_mounts[static_dir] != volume_at("migrate", static_dir):
            problems.append(f"nginx's {static_dir} is not the volume collectstatic writes in the migrate step")
    pages = shop_environment.get("GENERATED_STATIC_HTML_FILES_DIR")
    for root in page_roots:
        if nginx_mounts.get(root) is None or nginx_mounts[root] != volume_at("worker", pages):
            problems.append(f"nginx serves pages from {root}, not the volume the worker generates pages into")
    return problems


def problems_with_mariadb(compose):
    services = compose["services"]
    primary, replica = services["mariadb"], services["mariadb-replica"]
    problems = []
    primary_options, replica_options = command_words(primary), command_words(replica)
    for option in ("--log-bin", "--binlog-format=ROW", "--server-id=1"):
        if option not in primary_options:
            problems.append(f"the primary does not run with {option}")
    for option in ("--server-id=2", "--read-only"):
        if option not in replica_options:
            problems.append(f"the replica does not run with {option}")
    replica_scripts = [
        from_compose_dir(source)
        for source, target, *_ in mounts(replica)
        if target == "/docker-entrypoint-initdb.d" and from_compose_dir(source).is_dir()
    ]
    script = "".join(path.read_text() for directory in replica_scripts for path in sorted(directory.glob("*.sh")))
    for statement in ("CHANGE MASTER TO", "MASTER_USE_GTID=slave_pos", "START SLAVE"):
        if statement not in script:
            problems.append(f"the replica's init scripts do not run {statement}")
    if (replica.get("environment") or {}).get("DB_HOST") != "mariadb":
        problems.append("the replica's init script is not pointed at the primary service (DB_HOST)")
    if conditions(replica).get("mariadb") != "service_healthy":
        problems.append("the replica does not wait for a healthy primary")
    shop = services["app"].get("environment") or {}
    if shop.get("DB_HOST") != "mariadb" or shop.get("DB_REPLICA_HOST") != "mariadb-replica":
        problems.append("the shop does not write to the primary and read from the replica")
    return problems


# Tests ---------------------------------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification(compose):
    assert schema_errors(compose) == []


def test_the_schema_rejects_what_compose_rejects(compose):
    broken = unshared_copy(compose)
    broken["services"]["app"]["depends_on"]["migrate"]["condition"] = "service_finished"
    broken["services"]["redis"]["healthcheck"]["retry"] = 3
    errors = schema_errors(broken)
    assert any("services/app/depends_on" in error and "service_finished" in error for error in errors)
    assert any("services/redis/healthcheck" in error and "retry" in error for error in errors)


def test_built_and_mounted_files_exist_in_the_repository(compose):
    assert problems_with_files(compose) == []
    broken = unshared_copy(compose)
    broken["services"]["nginx"]["volumes"].append("./nginx/missing.conf:/etc/nginx/conf.d/missing.conf:ro")
    broken["services"]["app"]["volumes"].append("undeclared:/srv/meiduo/var/undeclared")
    assert problems_with_files(broken) == [
        "app: volume undeclared is not declared under volumes",
        "nginx: mounts ./nginx/missing.conf, which does not exist",
    ]


def test_dependencies_name_services_and_wait_for_health_or_completion(compose):
    assert problems_with_dependencies(compose) == []
    broken = unshared_copy(compose)
    broken["services"]["worker"]["depends_on"]["rabbitmq"] = {"condition": "service_healthy"}
    del broken["services"]["redis"]["healthcheck"]
    problems = problems_with_dependencies(broken)
    assert "worker depends on rabbitmq, which is no service" in problems
    assert "app waits for redis to be healthy, but redis has no health check" in problems


def test_stateful_services_app_and_nginx_have_health_checks(compose):
    assert problems_with_health_checks(compose) == []
    broken = unshared_copy(compose)
    broken["services"]["elasticsearch"]["healthcheck"] = {"disable": True}
    assert problems_with_health_checks(broken) == ["elasticsearch has no health check"]


def test_the_release_step_migrates_and_collects_static_files_before_the_shop_starts(compose):
    assert problems_with_release_order(compose) == []
    broken = unshared_copy(compose)
    broken["services"]["beat"]["depends_on"]["migrate"]["condition"] = "service_started"
    broken["services"]["migrate"]["restart"] = "on-failure"
    assert problems_with_release_order(broken) == [
        "migrate is restarted: a one-shot step must run once per deploy",
        "beat does not wait for migrate to complete successfully",
    ]


def test_the_root_env_file_is_the_only_configuration(compose):
    text = COMPOSE_FILE.read_text()
    assert problems_with_env_file(compose, text) == []
    broken = unshared_copy(compose)
    broken["services"]["worker"]["env_file"] = ".env"
    interpolated = text.replace("MARIADB_ROOT_HOST: localhost", "MARIADB_ROOT_PASSWORD: ${DB_ROOT_PASSWORD}", 1)
    assert problems_with_env_file(broken, interpolated) == [
        "worker reads .env, not the repository root's .env",
        "the compose file interpolates variables; every value must come from the root .env",
    ]
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_nginx_passes_requests_to_the_app_service(compose, tmp_path):
    config = rendered_nginx_site(compose["services"]["nginx"], tmp_path)
    assert problems_with_nginx(compose, config) == []
    assert "unix:" not in config and "127.0.0.1" not in "".join(nginx_upstreams(config))
    broken = unshared_copy(compose)
    broken["services"]["nginx"]["environment"]["MEIDUO_UPSTREAM"] = "127.0.0.1:8000"
    broken_config = rendered_nginx_site(broken["services"]["nginx"], tmp_path)
    assert problems_with_nginx(broken, broken_config) == [
        "nginx passes requests to 127.0.0.1:8000, not to the app service (app:8000)"
    ]


def test_the_nginx_site_script_refuses_a_config_without_upstream(tmp_path):
    site = tmp_path / "nginx.conf"
    site.write_text("server {\n    listen 80;\n    location / { uwsgi_pass 127.0.0.1:8000; }\n}\n")
    result = subprocess.run(
        ["sh", str(COMPOSE_DIR / "nginx-site.sh")],
        env={"PATH": "/usr/bin:/bin", "MEIDUO_NGINX_SITE": str(site), "MEIDUO_NGINX_TARGET": str(tmp_path / "out"),
             "MEIDUO_UPSTREAM": "app:8000"},
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "has no upstream block" in result.stderr


def test_nginx_serves_the_volumes_the_release_step_and_worker_write(compose, tmp_path):
    config = rendered_nginx_site(compose["services"]["nginx"], tmp_path)
    assert problems_with_shared_volumes(compose, config) == []
    broken = unshared_copy(compose)
    broken["services"]["nginx"]["volumes"] = [
        entry.replace("static:", "pages:") if entry.startswith("static:") else entry
        for entry in broken["services"]["nginx"]["volumes"]
    ]
    assert problems_with_shared_volumes(broken, config) == [
        "nginx's /srv/meiduo/var/static is not the volume collectstatic writes in the migrate step"
    ]


def test_mariadb_primary_and_replica_are_set_up_for_replication(compose):
    assert problems_with_mariadb(compose) == []
    broken = unshared_copy(compose)
    broken["services"]["mariadb"]["command"].remove("--log-bin")
    broken["services"]["mariadb-replica"]["command"].remove("--read-only")
    assert problems_with_mariadb(broken) == [
        "the primary does not run with --log-bin",
        "the replica does not run with --read-only",
    ]


def test_what_the_compose_file_sets_for_the_shop_is_read_by_the_shop(compose):
    settings_names = SettingsModules(SETTINGS_DIR.glob("*.py")).variables_read()
    services = compose["services"]
    for name in (*SHOP_SERVICES, "nginx"):
        for variable in services[name].get("environment") or {}:
            read_by = (
                variable in settings_names
                or variable == "DJANGO_SETTINGS_MODULE"
                or (variable.startswith("MEIDUO_UWSGI_") and variable in (ROOT / "uwsgi.ini").read_text())
                or (variable.startswith("MEIDUO_") and variable in (COMPOSE_DIR / "nginx-site.sh").read_text())
            )
            assert read_by, f"{name} sets {variable}, which nothing reads"
    # Service URLs name services of this stack.
    shop = services["app"]["environment"]
    for variable in ("REDIS_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "FDFS_TRACKER_SERVERS"):
        host = re.sub(r"^\w+://", "", shop[variable]).split(":")[0].split("/")[0]
        assert host in services, f"{variable} points at {host}, which is no service"


def test_init_script_variables_are_described_in_env_example():
    described = env_example_variables()
    for script in sorted((COMPOSE_DIR / "mariadb").glob("*/*.sh")):
        required = set(re.findall(r"\$\{([A-Z_]+):\?", script.read_text()))
        assert required, f"{script} requires no variable"
        assert required - {"DB_HOST"} <= described, f"{script.name}: {required - described} not in .env.example"


def test_secrets_stay_out_of_git_and_the_image(compose):
    for name, secret in compose["secrets"].items():
        path = from_compose_dir(secret["file"])
        assert path.parent.is_dir(), f"{name}: {path.parent} does not exist"
        ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT).returncode == 0
        assert ignored, f"{name}: {path} is not git-ignored"
        relative = path.parent.relative_to(ROOT).as_posix()
        assert f"{relative}/" in (ROOT / ".dockerignore").read_text().split(), f"{relative}/ is not docker-ignored"


def test_shop_image_is_multi_stage_non_root_and_vendors_vue_with_npm_ci():
    dockerfile = (COMPOSE_DIR / "Dockerfile").read_text()
    stages = re.split(r"^FROM\s", dockerfile, flags=re.MULTILINE)[1:]
    assert len(stages) >= 2
    final = stages[-1]
    users = re.findall(r"^USER\s+(\S+)", final, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "npm ci" in dockerfile and "vue.global.prod.js" in final
    assert re.search(r'^CMD \["uwsgi", "--ini", "uwsgi.ini"\]', final, re.MULTILINE)
    for ignored in (".venv/", "var/", ".git", "front_end_pc/node_modules/"):
        assert ignored in (ROOT / ".dockerignore").read_text().split()


def dockerignore_excludes(path, patterns):
    """Whether the build context leaves `path` out, by the rules of .dockerignore: a pattern also excludes
    everything under a directory it matches, `**` spans directories, `!` re-includes, the last match wins."""

    def regex(pattern):
        parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/"))
        wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
        return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))

    candidates = [path, *(str(parent) for parent in PurePosixPath(path).parents if str(parent) != ".")]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if any(regex(pattern.removeprefix("!")).fullmatch(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def dockerignore_patterns():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerignore_rules_as_docker_reads_them():
    patterns = ["var/", "**/*.pyc", ".env.*", "!.env.example", "front_end_pc/js/vendor/"]
    assert dockerignore_excludes("var/static/admin.css", patterns)
    assert dockerignore_excludes("meiduo_mall/apps/__pycache__/x.pyc", patterns)
    assert dockerignore_excludes(".env.production", patterns)
    assert not dockerignore_excludes(".env.example", patterns)
    assert not dockerignore_excludes("front_end_pc/js/api.js", patterns)
    assert not dockerignore_excludes("meiduo_mall/apps/goods/variables.py", patterns)


def test_the_image_gets_what_it_runs_and_nothing_secret_or_local():
    patterns = dockerignore_patterns()
    dockerfile = (COMPOSE_DIR / "Dockerfile").read_text()
    copied = [
        source
        for arguments in re.findall(r"^COPY\s+(?!--from)(.+)$", dockerfile, re.MULTILINE)
        for source in arguments.split()[:-1]
    ]
    assert copied, "the Dockerfile copies nothing from the build context"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert source == "." or not dockerignore_excludes(source, patterns), f"COPY {source}: left out by .dockerignore"
    needed = [
        "manage.py", "uwsgi.ini", "docker/release.sh", "docker/healthcheck.py", "meiduo_mall/settings/prod.py",
        "celery_tasks/main.py", "meiduo_mall/templates/pages/login.html", "meiduo_mall/apps/areas/data/areas.json",
        "requirements.txt", ".env.example",
    ]  # fmt: skip
    for path in needed:
        assert (ROOT / path).exists(), path
        assert not dockerignore_excludes(path, patterns), f"{path} is left out of the image"
    for path in (
        ".env", ".git/config", ".venv/bin/python", "var/db.sqlite3", "var/static/unfold/x.css",
        "front_end_pc/node_modules/vue/package.json", "front_end_pc/js/host.js", "front_end_pc/goods/1.html",
        "front_end_pc/index.html", "front_end_pc/login.html", "docker/secrets/alipay_app_private_key.pem",
        "tests/test_x.py", "meiduo_mall/__pycache__/urls.cpython-311.pyc",
    ):  # fmt: skip
        assert dockerignore_excludes(path, patterns), f"{path} would be copied into the image"


def test_dockerfiles_pass_hadolint():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [
            str(hadolint),
            "--no-color",
            "--failure-threshold",
            "info",
            "docker/Dockerfile",
            "docker/elasticsearch/Dockerfile",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_scripts_pass_shellcheck():
    shellcheck = Path(sys.executable).with_name("shellcheck")
    scripts = sorted(str(path.relative_to(ROOT)) for path in COMPOSE_DIR.rglob("*.sh"))
    assert "docker/mariadb/replica/10-replicate-primary.sh" in scripts
    result = subprocess.run([str(shellcheck), *scripts], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_release_step_runs_commands_the_shop_has():
    from django.core.management import get_commands

    release = (COMPOSE_DIR / "release.sh").read_text()
    commands = re.findall(r"^python manage\.py (\w+)", release, re.MULTILINE)
    assert {"check", "migrate", "collectstatic", "write_host_js"} <= set(commands)
    assert set(commands) <= set(get_commands()), set(commands) - set(get_commands())


@pytest.mark.parametrize(
    "replica",
    [{"DB_REPLICA_PASSWORD": ""}, {"DB_REPLICA_USER": "reader", "DB_REPLICA_PASSWORD": "s3cret"}],
)
def test_the_release_step_stops_on_a_replica_login_the_replica_cannot_have(replica, tmp_path):
    environment = {"PATH": str(tmp_path), "DB_USER": "meiduo", "DB_PASSWORD": "s3cret", **replica}
    # No python on PATH: had the guard let it through, the first manage.py call would fail differently.
    result = subprocess.run(
        ["/bin/sh", str(COMPOSE_DIR / "release.sh")], env=environment, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr == "release: set DB_REPLICA_USER and DB_REPLICA_PASSWORD in .env to DB_USER and DB_PASSWORD\n"


@pytest.mark.parametrize("replica", [{}, {"DB_REPLICA_USER": "", "DB_REPLICA_PASSWORD": "s3cret"}])
def test_the_release_step_goes_on_with_the_primarys_login(replica, tmp_path):
    environment = {"PATH": str(tmp_path), "DB_USER": "meiduo", "DB_PASSWORD": "s3cret", **replica}
    result = subprocess.run(
        ["/bin/sh", str(COMPOSE_DIR / "release.sh")], env=environment, capture_output=True, text=True
    )
    assert "python: not found" in result.stderr and "DB_REPLICA" not in result.stderr


def test_elasticsearch_image_has_the_ik_plugin_of_its_own_version():
    dockerfile = (COMPOSE_DIR / "elasticsearch" / "Dockerfile").read_text()
    version = re.search(r"^ARG ELASTICSEARCH_VERSION=(\S+)", dockerfile, re.MULTILINE).group(1)
    assert re.search(r"^FROM elasticsearch:\$\{ELASTICSEARCH_VERSION\}$", dockerfile, re.MULTILINE)
    assert "analysis-ik/${ELASTICSEARCH_VERSION}" in dockerfile
    client = re.search(r"^elasticsearch==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE).group(1)
    assert version == client, "the server and the pinned Python client must be the same 7.x release"
