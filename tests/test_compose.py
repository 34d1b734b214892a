"""docker compose does not run here; check the production topology as data."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SECRET_NAMES = ("PASSWORD", "SECRET", "API_KEY", "TOKEN")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_of_the_topology_is_there(compose):
    assert set(compose["services"]) == {
        "db",
        "redis",
        "migrate",
        "web",
        "worker-ncbi",
        "worker",
        "beat",
    }


def test_every_long_running_service_has_a_healthcheck(compose):
    for name, service in compose["services"].items():
        if name != "migrate":
            assert "healthcheck" in service, name


def test_the_database_is_postgresql_16_on_a_volume(compose):
    db = compose["services"]["db"]

    assert db["image"] == "postgres:16"
    assert any(v.startswith("pgdata:") for v in db["volumes"])
    assert "pgdata" in compose["volumes"]


def test_the_ncbi_queue_has_one_consumer_at_concurrency_one(compose):
    ncbi = compose["services"]["worker-ncbi"]["command"]
    default = compose["services"]["worker"]["command"]

    assert ncbi[ncbi.index("-Q") + 1] == "ncbi"
    assert ncbi[ncbi.index("--concurrency") + 1] == "1"
    assert default[default.index("-Q") + 1] == "celery"


def test_web_runs_gunicorn_after_migrations(compose):
    web = compose["services"]["web"]

    assert web["command"][0] == "gunicorn"
    assert web["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_no_secret_is_written_into_the_compose_file(compose):
    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, path)
        else:
            yield path, str(node)

    for path, value in walk(compose):
        if any(word in path.upper() for word in SECRET_NAMES):
            assert value.startswith("${"), f"{path} is inlined"
        assert "postgres://portal:${" in value or "@db" not in value, path


def test_the_image_runs_as_a_non_root_user_with_static_files_collected():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM python:3.11-slim" in dockerfile
    assert "collectstatic" in dockerfile
    user = [line for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert user
    assert user[-1].split()[1] not in ("root", "0")


def test_the_env_example_names_every_secret_without_a_value():
    lines = (ROOT / ".env.example").read_text().splitlines()
    settings = dict(
        line.split("=", 1) for line in lines if "=" in line and line[0] != "#"
    )

    for name in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"):
        assert settings[name] == ""


def test_every_app_process_shares_the_redis_broker_and_cache(compose):
    for name in ("web", "worker-ncbi", "worker", "beat", "migrate"):
        environment = compose["services"][name]["environment"]
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:"), name
        assert environment["CACHE_URL"].startswith("redis://redis:"), name


def test_web_trusts_the_one_proxy_in_front_of_it_and_only_it_can_reach_web(compose):
    web = compose["services"]["web"]

    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert web["ports"] == ["127.0.0.1:8000:8000"]
