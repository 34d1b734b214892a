import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


ENGINE_AND_DEBUG = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"
)


def django_setup(
    code: str = ENGINE_AND_DEBUG, **env: str
) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with the settings and the given environment."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ | {"DJANGO_SETTINGS_MODULE": "portal.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_default_settings_use_sqlite_in_debug():
    result = django_setup()

    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_url_switches_to_postgresql():
    result = django_setup(DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")

    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_secret_key_is_required_when_debug_is_off():
    result = django_setup(DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_secret_key():
    result = django_setup(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)

    assert result.stdout.split() == ["django.db.backends.sqlite3", "False"]


def test_cache_url_gives_every_process_one_shared_redis_cache():
    code = (
        "import django; django.setup(); from django.core.cache import caches; "
        "cache = caches['default']; cache.set('shared-cache-probe', 42); "
        "print(type(cache).__name__)"
    )
    environ = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CACHE_URL": "redis://127.0.0.1:6379/12",
    }
    writer = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    read = "import django; django.setup(); from django.core.cache import cache; "
    reader = subprocess.run(
        [sys.executable, "-c", read + "print(cache.get('shared-cache-probe'))"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )

    assert writer.stdout.split() == ["FailOpenRedisCache"], writer.stderr
    assert reader.stdout.split() == ["42"], reader.stderr


def test_production_logs_one_json_object_per_line():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('claims').warning('refresh %s failed', 42)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ
        | {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "a-test-key-" + "x" * 50,
        },
        capture_output=True,
        text=True,
        check=False,
    )

    (line,) = result.stderr.strip().splitlines()
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["name"] == "claims"
    assert record["message"] == "refresh 42 failed"
    assert "time" in record


def test_four_eyes_is_on_unless_the_environment_turns_it_off():
    code = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.CURATION_FOUR_EYES)"
    )
    environ = {k: v for k, v in os.environ.items() if k != "CURATION_FOUR_EYES"}
    environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

    def four_eyes(**env: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=environ | env,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() or result.stderr

    assert four_eyes() == "True"
    assert four_eyes(CURATION_FOUR_EYES="0") == "False"
    assert four_eyes(CURATION_FOUR_EYES="1") == "True"


POSTGRES_OPTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['OPTIONS']['options'])"
)


def test_postgresql_connections_price_random_reads_as_configured():
    url = "postgres://postgres@127.0.0.1:5432/portal"

    default = django_setup(POSTGRES_OPTIONS, DATABASE_URL=url)
    spinning = django_setup(
        POSTGRES_OPTIONS, DATABASE_URL=url, DATABASE_RANDOM_PAGE_COST="4"
    )
    own = django_setup(
        POSTGRES_OPTIONS, DATABASE_URL=url + "?options=-c%20work_mem%3D64MB"
    )

    assert default.stdout.strip() == "-c jit=off -c random_page_cost=1.1"
    assert spinning.stdout.strip() == "-c jit=off -c random_page_cost=4.0"
    assert own.stdout.strip() == "-c jit=off -c random_page_cost=1.1 -c work_mem=64MB"


def test_a_random_page_cost_that_is_no_number_stops_the_start():
    result = django_setup(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal",
        DATABASE_RANDOM_PAGE_COST="1.1 -c statement_timeout=1",
    )

    assert result.returncode != 0
    assert "DATABASE_RANDOM_PAGE_COST must be a number" in result.stderr


def test_a_random_page_cost_must_be_finite_and_not_negative():
    for value in ("nan", "inf", "-1"):
        result = django_setup(
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal",
            DATABASE_RANDOM_PAGE_COST=value,
        )
        assert result.returncode != 0, value
        assert "DATABASE_RANDOM_PAGE_COST must be a number" in result.stderr
