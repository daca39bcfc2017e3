"""The scaled deployment (compose.yaml, Dockerfile, deploy/nginx.conf) agrees with the code.

No Docker engine runs in CI, so this checks statically what can be checked: every service has a
health check, the app replicas set only real settings and accept them, their URLs point at the
services of the file, the proxy spreads HTTP and WebSockets over both replicas on the port the
image serves, and the health check path answers. ``docker compose config -q`` runs too when a
Docker engine with the compose plugin answers (that test alone skips otherwise).
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml  # type: ignore[import-untyped]  # types-PyYAML is not a test dependency
from sqlalchemy.engine import make_url

from server.app.asgi import MULTIPART_OVERHEAD, create_app
from server.cli.main import parser as cli_parser
from server.core.settings import Settings, setting_docs
from tests.conftest import Template, fast_settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"

APP_REPLICAS = ("app1", "app2")
# Read by `essaim serve` for uvicorn (server/cli/main.py), not a field of Settings.
SERVE_ONLY_VARIABLES: set[str] = set()

_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def substitute(value: str, environ: Mapping[str, str] | None = None) -> str:
    """Compose's interpolation of ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``
    and ``$$``; ``${VAR:?err}`` / ``${VAR?err}`` raise when unset, as compose does."""
    env = environ or {}

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        current = env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in {":-", "-"}:
            return arg if missing else str(current)
        if op in {":?", "?"} and missing:
            raise ValueError(f"required variable {name} is missing: {arg}")
        return "" if current is None else current

    return _VARIABLE.sub(one, value)


def test_substitute_helper() -> None:
    assert substitute("a${X:-d}b") == "adb"
    assert substitute("${X:-d}", {"X": ""}) == "d"
    assert substitute("${X-d}", {"X": ""}) == ""
    assert substitute("${X:-d}/$Y/$$Z", {"X": "x", "Y": "y"}) == "x/y/$Z"
    assert substitute("${SMTP_URL:-}") == ""
    with pytest.raises(ValueError):
        substitute("${X:?set X}")


# ---------------------------------------------------------------- helpers


def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def services() -> dict[str, dict[str, Any]]:
    found = compose()["services"]
    assert isinstance(found, dict)
    return found


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as written (list or mapping form), values as strings."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {str(k): "" if v is None else str(v) for k, v in raw.items()}


def resolved_environment(
    service: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    return {k: substitute(v, environ) for k, v in environment(service).items()}


def exposed_ports(service: Mapping[str, Any]) -> set[int]:
    """Container ports a service offers on the compose network (``expose`` and ``ports``)."""
    ports = {int(str(p).split("/")[0]) for p in service.get("expose", [])}
    for mapping in service.get("ports", []):
        target = mapping["target"] if isinstance(mapping, dict) else str(mapping).split(":")[-1]
        ports.add(int(str(target).split("/")[0]))
    return ports


def dockerfile_instruction(name: str) -> str:
    """The argument of the last ``name`` instruction of the Dockerfile (continuations joined)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found = [
        line.strip()[len(name) :].strip()
        for line in text.splitlines()
        if line.strip().upper().startswith(f"{name} ")
    ]
    assert found, f"the Dockerfile has no {name}"
    return found[-1]


@dataclass
class Stage:
    """One ``FROM`` of the Dockerfile: its base, its ``AS`` name, its instructions."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]]

    def all(self, name: str) -> list[str]:
        return [args for instruction, args in self.instructions if instruction == name]


def dockerfile_stages() -> list[Stage]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        instruction, args = instruction.upper(), args.strip()
        if instruction == "FROM":
            base, _, name = args.partition(" AS ")
            stages.append(Stage(base.strip(), name.strip() or None, []))
        else:
            assert stages, f"{instruction} before FROM"
            stages[-1].instructions.append((instruction, args))
    return stages


def pyproject_packages() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]


def dockerfile_cmd() -> list[str]:
    cmd = json.loads(dockerfile_instruction("CMD"))
    assert isinstance(cmd, list), "CMD must use the exec (JSON) form so signals reach essaim"
    return [str(part) for part in cmd]


def serve_port() -> int:
    cmd = dockerfile_cmd()
    assert cmd[:2] == ["essaim", "serve"], cmd
    args = cli_parser().parse_args(cmd[1:])
    assert args.host == "0.0.0.0", "the app must listen on every interface of its container"
    return int(args.port)


def nginx_conf() -> str:
    """deploy/nginx.conf without comments."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def nginx_block(text: str, header: str) -> str:
    """The body of the first ``header { ... }`` block (nested braces allowed)."""
    match = re.search(re.escape(header) + r"\s*\{", text)
    assert match, f"nginx.conf has no `{header}` block"
    depth, start = 1, match.end()
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    raise AssertionError(f"unbalanced braces after `{header}`")


def directives(block: str, name: str) -> list[list[str]]:
    """Arguments of every ``name ...;`` directive directly in ``block`` (nested blocks too)."""
    return [
        m.group(1).split() for m in re.finditer(rf"(?:^|[;{{}}\s]){name}\s+([^;{{}}]*);", block)
    ]


def effective_headers(server: str, location: str) -> dict[str, str]:
    """The headers a location sends upstream: nginx inherits the server's ``proxy_set_header``
    lines only when the location has none of its own."""
    own = directives(location, "proxy_set_header")
    if not own:
        outer = server
        for block in re.findall(r"location[^{]*\{[^{}]*\}", server):
            outer = outer.replace(block, "")
        own = directives(outer, "proxy_set_header")
    return {args[0]: " ".join(args[1:]) for args in own}


def size_bytes(value: str) -> int:
    units = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    match = re.fullmatch(r"(\d+)([kmg]?)", value.lower())
    assert match, value
    return int(match.group(1)) * units[match.group(2)]


def seconds(value: str) -> int:
    units = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
    total = 0
    for number, unit in re.findall(r"(\d+)([smhd]?)", value):
        total += int(number) * units[unit]
    return total


def healthcheck_urls() -> list[str]:
    """Every http URL probed by a health check (Dockerfile and app replicas)."""
    tests = [dockerfile_instruction("HEALTHCHECK")]
    for name in APP_REPLICAS:
        test = services()[name]["healthcheck"]["test"]
        tests.append(" ".join(test) if isinstance(test, list) else str(test))
    urls = [url for text in tests for url in re.findall(r"https?://[^\s'\"]+", text)]
    assert len(urls) == len(tests), f"a health check without a URL in {tests}"
    return urls


# ---------------------------------------------------------------- compose.yaml


def test_compose_parses_and_has_the_services() -> None:
    assert {"postgres", "redis", "meilisearch", *APP_REPLICAS, "proxy"} <= set(services())


def test_every_service_has_a_health_check() -> None:
    for name, service in services().items():
        check = service.get("healthcheck")
        assert isinstance(check, dict), f"service {name} has no healthcheck"
        assert not check.get("disable"), f"service {name} disables its healthcheck"
        test = check.get("test")
        assert test and test not in (["NONE"], "NONE"), f"service {name}: empty healthcheck"
        if isinstance(test, list):
            assert test[0] in {"CMD", "CMD-SHELL"}, f"service {name}: {test}"


def test_replicas_are_the_same_app() -> None:
    svc = services()
    first, *others = (svc[name] for name in APP_REPLICAS)
    for other in others:
        assert other["build"] == first["build"]
        assert environment(other) == environment(first)
        assert other["volumes"] == first["volumes"]
    for name in APP_REPLICAS:
        assert svc[name]["build"] in (".", {"context": "."}), "replicas build this repository"
        assert not svc[name].get("ports"), f"{name} must only be reached through the proxy"


def test_dependencies_wait_for_health_and_one_replica_migrates() -> None:
    svc = services()
    for name, service in svc.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for target, spec in depends.items():
            assert target in svc, f"{name} depends on unknown service {target}"
            assert spec.get("condition") == "service_healthy", f"{name} -> {target}"
    for name in APP_REPLICAS:
        assert {"postgres", "redis", "meilisearch"} <= set(svc[name]["depends_on"])
    # `essaim serve` migrates at start-up: the first replica does, the others wait for it.
    for name in APP_REPLICAS[1:]:
        assert APP_REPLICAS[0] in svc[name]["depends_on"]
    assert APP_REPLICAS[1] not in svc[APP_REPLICAS[0]]["depends_on"]
    assert set(APP_REPLICAS) <= set(svc["proxy"]["depends_on"])


def test_replica_environment_holds_only_real_settings() -> None:
    names = {env for env, _default, _help in setting_docs()}
    cli_source = (ROOT / "server" / "cli" / "main.py").read_text(encoding="utf-8")
    for variable in SERVE_ONLY_VARIABLES:
        assert f'"{variable}"' in cli_source, f"essaim serve no longer reads {variable}"
    for name in APP_REPLICAS:
        unknown = set(environment(services()[name])) - names - SERVE_ONLY_VARIABLES
        assert not unknown, f"{name} sets variables that are not settings: {sorted(unknown)}"


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {
            "POSTGRES_PASSWORD": "s3cret",
            "MEILI_MASTER_KEY": "a-real-master-key-of-32-bytes-xx",
            "SMTP_URL": "smtp://mailer:pw@smtp.example.fr:587",
            "ESSAIM_PUBLIC_URL": "https://essaim.example.fr",
        },
    ],
    ids=["defaults", "operator-values"],
)
def test_settings_accept_the_replica_environment(environ: dict[str, str]) -> None:
    env = resolved_environment(services()[APP_REPLICAS[0]], environ)
    settings = Settings.from_env(env)
    described = settings.describe()
    for variable, value in env.items():
        if variable not in SERVE_ONLY_VARIABLES and value:
            assert variable in described
    assert settings.database_url == env["DATABASE_URL"]
    assert settings.broker_url.startswith("redis://")
    assert settings.search_url.startswith("meilisearch://")
    assert settings.search_api_key
    assert settings.public_url == environ.get("ESSAIM_PUBLIC_URL", "http://localhost:8080")
    assert settings.smtp_url == environ.get("SMTP_URL", "")
    assert str(settings.data_dir) == "/data"


def test_database_url_points_at_the_postgres_service() -> None:
    svc = services()
    postgres = resolved_environment(svc["postgres"])
    url = make_url(resolved_environment(svc[APP_REPLICAS[0]])["DATABASE_URL"])
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "postgres"
    assert url.port in exposed_ports(svc["postgres"]) and url.port == 5432
    assert url.database == postgres["POSTGRES_DB"]
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    # The same variable (and default) feeds both, so setting it once changes both.
    raw_app = environment(svc[APP_REPLICAS[0]])["DATABASE_URL"]
    assert environment(svc["postgres"])["POSTGRES_PASSWORD"] in raw_app
    check = " ".join(svc["postgres"]["healthcheck"]["test"])
    assert "pg_isready" in check and postgres["POSTGRES_USER"] in check
    assert svc["postgres"]["image"].startswith("postgres:16")


def test_broker_url_points_at_the_redis_service() -> None:
    svc = services()
    url = urlsplit(resolved_environment(svc[APP_REPLICAS[0]])["BROKER_URL"])
    assert url.scheme == "redis"
    assert url.hostname == "redis" and url.hostname in svc
    assert (url.port or 6379) in exposed_ports(svc["redis"])
    assert svc["redis"]["image"].startswith("redis:7")
    assert "ping" in svc["redis"]["healthcheck"]["test"]


def test_search_url_and_key_point_at_the_meilisearch_service() -> None:
    svc = services()
    app_env = environment(svc[APP_REPLICAS[0]])
    url = urlsplit(substitute(app_env["SEARCH_URL"]))
    assert url.scheme == "meilisearch"
    assert url.hostname == "meilisearch" and url.hostname in svc
    assert url.port in exposed_ports(svc["meilisearch"])
    meili = environment(svc["meilisearch"])
    assert app_env["SEARCH_API_KEY"] == meili["MEILI_MASTER_KEY"]
    assert "${MEILI_MASTER_KEY" in meili["MEILI_MASTER_KEY"]
    assert meili["MEILI_ENV"] == "production"
    # Meilisearch refuses to start in production with a master key under 16 bytes.
    assert len(substitute(meili["MEILI_MASTER_KEY"])) >= 16
    assert re.fullmatch(r"getmeili/meilisearch:v1(\.\d+)*", svc["meilisearch"]["image"])
    assert "/health" in " ".join(svc["meilisearch"]["healthcheck"]["test"])


def test_replicas_share_the_attachments_volume_at_the_data_dir() -> None:
    document = compose()
    for name in APP_REPLICAS:
        service = document["services"][name]
        data_dir = resolved_environment(service).get("ESSAIM_DATA_DIR", "/data")
        mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in service["volumes"]}
        assert mounts.get(data_dir) == "attachments", f"{name}: {service['volumes']}"
    assert "attachments" in document["volumes"]
    assert "ESSAIM_DATA_DIR=/data" in DOCKERFILE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- Dockerfile and proxy


def test_dockerfile_serves_essaim_as_a_non_root_user() -> None:
    assert dockerfile_instruction("FROM").startswith("python:3.11-slim")
    assert dockerfile_instruction("USER") not in {"root", "0"}
    port = serve_port()
    assert str(port) in dockerfile_instruction("EXPOSE").split()
    assert (ROOT / ".dockerignore").is_file()


def test_image_installs_the_wheel_built_in_a_build_stage_with_the_constraints() -> None:
    """The image runs what .ci/run tests: the wheel (with its package data), installed with
    constraints.txt; no source tree and no `pip install .` in the final image."""
    *builders, final = dockerfile_stages()
    assert final.base.startswith("python:3.11-slim")
    wheel_dirs: dict[str, str] = {}
    for stage in builders:
        copied = {
            source
            for args in stage.all("COPY")
            if "--from" not in args
            for source in shlex.split(args)[:-1]
        }
        for run in stage.all("RUN"):
            words = shlex.split(run)
            if "pip" in words and "wheel" in words:
                assert stage.name, "the build stage needs a name for COPY --from"
                wheel_dirs[stage.name] = words[words.index("-w") + 1]
                for needed in ("pyproject.toml", "README.md", *pyproject_packages()):
                    assert needed in copied, f"the build stage does not copy {needed}"
    assert wheel_dirs, "no stage builds the wheel (pip wheel -w DIR)"

    from_build = [shlex.split(args) for args in final.all("COPY") if args.startswith("--from=")]
    wheel_copies = [
        words[-1]
        for words in from_build
        if words[0].removeprefix("--from=") in wheel_dirs
        and words[1].rstrip("/") == wheel_dirs[words[0].removeprefix("--from=")].rstrip("/")
    ]
    assert wheel_copies, "the final stage does not copy the built wheel from the build stage"
    constraints_copies = [
        shlex.split(args)[-1]
        for args in final.all("COPY")
        if "--from" not in args and shlex.split(args)[0] == "constraints.txt"
    ]
    assert constraints_copies, "the final stage does not copy constraints.txt"
    installs = [shlex.split(run) for run in final.all("RUN") if "pip install" in run]
    assert len(installs) == 1, installs
    (words,) = installs
    assert words[words.index("-c") + 1] == constraints_copies[0]
    wheels = [w for w in words if w.endswith(".whl")]
    assert wheels and all(
        any(w.startswith(d.rstrip("/") + "/") for d in wheel_copies) for w in wheels
    ), wheels
    assert "." not in words, "the final stage must install the wheel, not the source tree"
    for args in final.all("COPY"):
        for package in pyproject_packages():
            assert package not in shlex.split(args)[:-1], f"source {package}/ in the image"

    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert (ROOT / "constraints.txt").is_file()
    assert "constraints.txt" not in ignored and "*.txt" not in ignored
    assert {"tests", ".venv", ".git"} <= ignored


def test_proxy_spreads_http_and_websockets_over_both_replicas() -> None:
    proxy = services()["proxy"]
    assert proxy["image"].startswith("nginx:")
    mounted = [str(v).split(":")[0] for v in proxy["volumes"]]
    assert "./deploy/nginx.conf" in mounted
    assert any(str(p).split(":")[0] == "8080" for p in proxy["ports"])

    conf = nginx_conf()
    upstream_names = re.findall(r"upstream\s+(\S+)\s*\{", conf)
    assert len(upstream_names) == 1, upstream_names
    upstream = nginx_block(conf, f"upstream {upstream_names[0]}")
    port = serve_port()
    targets = {args[0] for args in directives(upstream, "server")}
    assert targets == {f"{name}:{port}" for name in APP_REPLICAS}, targets

    server = nginx_block(conf, "server")
    assert ["1.1"] in directives(server, "proxy_http_version")
    ws = nginx_block(server, "location = /ws")
    rest = nginx_block(server, "location /")
    for location in (ws, rest):
        assert [f"http://{upstream_names[0]}"] in directives(location, "proxy_pass")
        headers = effective_headers(server, location)
        assert headers.get("Host") == "$http_host", "the app compares Origin with host:port"
        assert headers.get("X-Forwarded-Proto") == "$scheme"

    ws_headers = effective_headers(server, ws)
    assert ws_headers.get("Upgrade") == "$http_upgrade"
    assert ws_headers.get("Connection", "").strip("\"'") in {"upgrade", "$connection_upgrade"}
    # Idle WebSockets outlive nginx's 60 s default; the app's heartbeat is 25 s.
    (timeout,) = directives(ws, "proxy_read_timeout")
    assert seconds(timeout[0]) >= 300

    (body,) = directives(server, "client_max_body_size")
    needed = Settings.from_env({}).max_upload_bytes + MULTIPART_OVERHEAD
    assert size_bytes(body[0]) >= needed, f"uploads of {needed} bytes would get nginx's 413"


def test_proxy_overwrites_the_client_address_a_client_sent() -> None:
    """nginx is the edge: X-Forwarded-For is the peer's address, never a client's list."""
    conf = nginx_conf()
    assert "$proxy_add_x_forwarded_for" not in conf and "$http_x_forwarded_for" not in conf
    server = nginx_block(conf, "server")
    for header in ("location = /ws", "location /"):
        headers = effective_headers(server, nginx_block(server, header))
        assert headers.get("X-Forwarded-For") == "$remote_addr", header
        assert headers.get("X-Real-IP") == "$remote_addr", header
        assert headers.get("X-Forwarded-Proto") == "$scheme", header


def test_replicas_trust_forwarded_headers_from_the_proxy_network_only() -> None:
    """FORWARDED_ALLOW_IPS is the subnet of a network that holds only the proxy and the
    replicas, and the proxy reaches the replicas through it alone."""
    svc = services()
    trusted = {resolved_environment(svc[name])["FORWARDED_ALLOW_IPS"] for name in APP_REPLICAS}
    assert len(trusted) == 1, trusted
    (allowed,) = trusted
    assert "*" not in allowed
    assert Settings.from_env({"FORWARDED_ALLOW_IPS": allowed}).forwarded_allow_ips == allowed
    networks = compose()["networks"]
    proxy_networks = svc["proxy"]["networks"]
    assert len(proxy_networks) == 1, "the proxy sits on the edge network only"
    (edge,) = proxy_networks
    subnets = [substitute(c["subnet"]) for c in networks[edge]["ipam"]["config"]]
    assert [ipaddress.ip_network(allowed)] == [ipaddress.ip_network(s) for s in subnets]
    on_edge = {name for name, service in svc.items() if edge in (service.get("networks") or [])}
    assert on_edge == {"proxy", *APP_REPLICAS}, on_edge
    for name in APP_REPLICAS:
        assert "default" in svc[name]["networks"], f"{name} must still reach the data services"


def test_docs_still_serve_websockets_on_ws() -> None:
    protocol = (ROOT / "docs" / "realtime.md").read_text(encoding="utf-8")
    assert "`GET /ws`" in protocol


def test_health_checks_target_the_serve_port() -> None:
    port = serve_port()
    for url in healthcheck_urls():
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1" and parts.port == port, url


async def test_health_check_path_answers(tmp_path: Path, sqlite_template: Template) -> None:
    paths = {urlsplit(url).path for url in healthcheck_urls()}
    proxy_check = " ".join(services()["proxy"]["healthcheck"]["test"])
    paths |= {urlsplit(url).path for url in re.findall(r"https?://[^\s'\"]+", proxy_check)}
    assert paths == {"/api/v1/health"}
    assert sqlite_template.path is not None
    database = tmp_path / "essaim.db"
    shutil.copyfile(sqlite_template.path, database)
    app = create_app(
        fast_settings(tmp_path / "data", f"sqlite+aiosqlite:///{database}"), migrate=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app1:8000") as http:
            for path in paths:
                response = await http.get(path)
                assert response.status_code == 200, response.text
                assert response.json()["status"] == "ok"


# ---------------------------------------------------------------- Docker itself, when present


def _docker_compose_available() -> str | None:
    """Why ``docker compose`` cannot be run here, or None when it can."""
    if shutil.which("docker") is None:
        return "no docker command"
    for probe in (["docker", "info"], ["docker", "compose", "version"]):
        try:
            done = subprocess.run(probe, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"`{' '.join(probe)}` failed: {exc}"
        if done.returncode != 0:
            return f"`{' '.join(probe)}` failed: no running Docker engine or compose plugin"
    return None


def test_docker_compose_config_is_valid() -> None:
    problem = _docker_compose_available()
    if problem is not None:
        pytest.skip(f"{problem}; compose.yaml was checked statically only")
    done = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
