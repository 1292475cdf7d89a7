"""The one settings object. Every value comes from `NIAGA_*` environment variables or `.env`."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "placeholder", "xxx", "dev", "development"}


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NIAGA_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    home: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: SecretStr | None = None
    timezone: str = "Asia/Jakarta"

    host: str = "127.0.0.1"
    port: int = 8000
    # The address customers' channels and widgets reach this service at (webhooks, widget.js, files). Unset:
    # http://HOST:PORT of this server (127.0.0.1 when it listens on every address).
    public_url: str = ""

    # Requests: body limit for JSON/form endpoints and for uploads (bytes).
    max_body_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    # Provider webhooks (WAHA, Telegram, Midtrans): their events are small JSON documents.
    max_webhook_bytes: int = 1024 * 1024
    # A chat order confirmation waits this long for its payment link (job `orders.payment_link`) so that the
    # reply usually carries the link; otherwise the reply says it follows and the job sends it.
    chat_link_wait_seconds: float = 1.0

    access_token_minutes: int = 15
    refresh_token_days: int = 14

    # Jobs: "huey" dispatches to the Huey consumer; "manual" leaves due jobs for `jobs.runner.drain()` (tests).
    jobs_dispatch: Literal["huey", "manual"] = "huey"
    # A running job's lease, renewed by its worker's heartbeat every lease/5 s: a killed worker's jobs are
    # reclaimed by the sweeper (every job_sweep_seconds) within lease + sweep interval (~30 s).
    job_lease_seconds: int = 20
    job_max_attempts: int = 8
    # The sweeper recovers jobs Huey lost or whose worker died; how often, and how long a due job may wait.
    job_sweep_seconds: float = 10.0
    job_sweep_stale_seconds: float = 30.0
    # A job still running after this many seconds (a model, converter or network call that never returns) is
    # given up: its attempt ends with `TimeLimitExceeded` (retried, then a dead letter with its alert) and
    # the stuck thread is replaced: a standalone worker restarts its process, the consumer inside `niaga
    # serve` starts another thread. A task may set its own (`registry.task(time_limit=...)`); 0 turns it off.
    job_time_limit_seconds: float = 900.0
    # How long a stopping worker waits for its running jobs (SIGTERM, or a restart after a stuck job).
    job_shutdown_seconds: float = 60.0
    # Delays up to this many seconds are timed inside the dispatching process and enqueued when due; longer ones
    # go to Huey's schedule (checked once a second).
    job_local_delay_seconds: float = 600.0
    worker_threads: int = 4
    # Job consumer processes (`niaga worker`, and the consumer beside `niaga serve`): more than one lets the
    # agent's turns use more than one core (the threads of one process share one); periodic tasks and the
    # sweeper run in the first only.
    worker_processes: int = 1
    # SQLite: writers (BEGIN IMMEDIATE) queue on a lock of this machine's threads and processes
    # (`niaga.db.engine._Turnstile`) instead of sleeping in SQLite's busy handler.
    sqlite_turnstile: bool = True

    log_level: str = "INFO"
    log_json: bool = True

    demo_password: str | None = None
    default_language: Literal["id", "en"] = "id"

    # Outbound HTTP to providers.
    http_timeout_seconds: float = 15.0

    extra_origins: list[str] = Field(default_factory=list)

    # --- print shop (src/niaga/printshop): limits, timeouts and image thresholds -------------------
    # Pages are measured at a fixed rendering width so that thresholds do not depend on the scan's dpi:
    # 1240 px = an A4 page at 150 dpi, the common scanner default.
    printshop_render_width_px: int = 1240
    # Blank: "ink" = dark (grey < 128) marks at least letter-sized (>= 1.2 mm; speckle and dust are smaller),
    # margins (6 % of each side) excluded. One short word in 12 pt covers ~0.1 cm^2, so a page whose
    # letter-sized ink is under 0.05 cm^2 carries no readable content.
    printshop_blank_ink_cm2: float = 0.05
    # Blur: variance of the Laplacian divided by the fraction of ink pixels (grey < 200), i.e. edge energy per
    # unit of ink, so that sparse and dense pages compare. Sharp print at 150 dpi is ~1e5 per unit; a Gaussian
    # blur of 1.5 px sigma (a shaken phone scan, text no longer crisp) drops it below 5e3.
    printshop_blur_edge_energy: float = 5000.0
    # Colour: chroma (max(R,G,B) - min(R,G,B)) above 40 is beyond any paper tint or scanner cast; a page is a
    # colour page when such pixels cover at least 0.5 cm^2 after removing specks (a small logo or stamp).
    printshop_colour_chroma: int = 40
    printshop_colour_min_area_cm2: float = 0.5
    # Rotation: text lines make the ink profile across lines far more variable than along them; a ratio of
    # 1.3 between the two directions is needed before the page is called rotated by 90 degrees.
    printshop_rotation_profile_ratio: float = 1.3
    printshop_max_pages: int = 1000
    printshop_check_max_pages: int = 600
    # Processes that share a long PDF's page checks (0 = one per CPU).
    printshop_check_workers: int = 0
    # LibreOffice: one conversion may take this long before the office process is killed and restarted.
    printshop_render_timeout_seconds: float = 120.0
    printshop_soffice: str = "soffice"
    # Zip containers (DOCX & co.) are refused beyond these limits before anything is inflated.
    printshop_zip_max_uncompressed_bytes: int = 300 * 1024 * 1024
    printshop_zip_max_ratio: float = 200.0
    printshop_zip_max_members: int = 5000

    # --- operations (src/niaga/ops) ------------------------------------------------------------------
    # Backups: archives go to this folder (empty: NIAGA_HOME/backups); the periodic job makes one a day at
    # this hour (server time) and keeps the newest of each of the last 7 days and 4 ISO weeks.
    backup_dir: str = ""
    backup_passphrase: SecretStr | None = None
    backup_schedule_hour: int = 2
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    # Off-site copies: an S3-compatible bucket (AWS, MinIO, R2, Wasabi, …). With backup_s3_url
    # (s3://bucket/prefix) set, the daily backup is also uploaded there and the same retention applies there;
    # `niaga backup create --to s3://bucket/prefix` uploads one by hand.
    backup_s3_url: str = ""
    s3_endpoint_url: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr | None = None
    s3_region: str = "us-east-1"
    # Alerts to the owner's admin chat (and to Prometheus through /metrics). Each condition alerts at most
    # once per `alert_repeat_minutes` per business.
    alert_queue_backlog: int = 200
    alert_job_age_seconds: float = 900.0
    alert_backup_max_age_hours: float = 26.0
    alert_disk_percent: float = 85.0
    alert_no_inbound_hours: float = 4.0
    alert_repeat_minutes: float = 60.0
    # Outgoing event webhooks: per-attempt timeout, and how many failed deliveries in a row disable an endpoint.
    event_webhook_timeout_seconds: float = 5.0
    event_webhook_max_failures: int = 15
    # Personal data: messages and uploaded files older than this many days are purged (0 keeps them).
    retention_message_days: int = 0
    retention_file_days: int = 0

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @model_validator(mode="after")
    def _default_public_url(self) -> Settings:
        if not self.public_url.strip():
            host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
            if ":" in host and not host.startswith("["):
                host = f"[{host}]"
            self.public_url = f"http://{host}:{self.port}"
        return self

    # --- derived paths -------------------------------------------------------------------------
    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def queue_path(self) -> Path:
        return self.home / "queue.db"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'niaga.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def backups_dir(self) -> Path:
        return (
            Path(self.backup_dir).expanduser().resolve() if self.backup_dir.strip() else self.home / "backups"
        )

    def ensure_home(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.files_dir.mkdir(parents=True, exist_ok=True)

    def resolved_secret_key(self) -> str:
        """The signing/encryption key: the configured one, or one generated once under NIAGA_HOME.

        A placeholder value is refused outside development so that a copied `.env.example` never
        ends up signing production sessions.
        """
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if (
                value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 16
            ) and self.env != "development":
                raise ConfigError(
                    "NIAGA_SECRET_KEY is a placeholder or shorter than 16 characters; set a random value "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or unset it to "
                    "have one generated under NIAGA_HOME."
                )
            return value
        self.ensure_home()
        path = self.home / "secret_key"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_urlsafe(48))
            tmp.chmod(0o600)
            tmp.replace(path)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
