"""The explicit registries: every job kind the code enqueues, every periodic task, every webhook provider and
every provider kind resolves after start-up; an unknown job or a provider without its handler is a dead
letter with a clear error, never silently "done" or "handled"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

import niaga
from niaga.agent.llm import LLM_CLIENTS
from niaga.integrations import inbox, registry
from niaga.integrations.models import InboundEvent
from niaga.jobs.models import DeadLetter, Job
from niaga.jobs.registry import PERIODIC, REGISTRY, TASK_MODULES, UnknownJob, load_all, resolve
from niaga.jobs.runner import drain, enqueue, run_job
from niaga.messaging import channels
from niaga.messaging.email import EMAIL_SENDERS
from niaga.orders import payments

SRC = Path(niaga.__file__).parent


def _enqueued_names() -> set[str]:
    """Job names passed as literals to enqueue/enqueue_many anywhere in the source."""
    call = re.compile(r"\benqueue(?:_many)?\(\s*\w+\s*,\s*[\"']([a-z_]+\.[a-z_]+)[\"']")
    return {m.group(1) for path in SRC.rglob("*.py") for m in call.finditer(path.read_text())}


def test_every_enqueued_job_and_periodic_task_resolves() -> None:
    load_all()
    names = _enqueued_names()
    assert {"channels.send_message", "conversations.reply", "inbox.process", "orders.payment_link"} <= names
    for name in sorted(names):
        assert resolve(name).name == name
    assert {"orders.reconcile_payments", "orders.expire_overdue", "orders.expire_points"} <= set(PERIODIC)
    for _name, (cron, fn) in PERIODIC.items():
        assert callable(fn) and cron
    for module in TASK_MODULES:
        assert __import__(module, fromlist=["_"]) is not None


def test_every_provider_resolves() -> None:
    load_all()
    assert set(registry.WEBHOOK_PROVIDERS) == set(registry.WEBHOOK_HANDLERS)
    for provider in registry.WEBHOOK_PROVIDERS:
        assert inbox.HANDLERS[provider] is registry.WEBHOOK_HANDLERS[provider]
    for kind in channels.CHANNEL_KINDS:
        assert callable(channels.SENDERS.get(kind))
    for kind in ("resend", "smtp"):
        assert callable(EMAIL_SENDERS.get(kind))
    for kind in ("openai_compat", "gemini"):
        assert callable(LLM_CLIENTS.get(kind))
    gateway = payments.gateway()
    for method in ("is_enabled", "do_create_link", "do_send_link", "reconcile_all"):
        assert callable(getattr(gateway, method))


def test_unknown_job_name_is_refused_at_enqueue(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownJob, match=r"unknown job 'nobody\.does_this'"):
        enqueue(db, "nobody.does_this")


def test_stored_job_without_code_is_a_dead_letter(db) -> None:  # type: ignore[no-untyped-def]
    job = Job(name="retired.job", args={}, max_attempts=5)
    db.add(job)
    db.commit()
    assert run_job(job.id) == "dead"
    db.expire_all()
    dl = db.scalars(sa.select(DeadLetter).where(DeadLetter.job_id == job.id)).one()
    assert dl.permanent and "unknown job 'retired.job'" in dl.error


def test_declared_provider_without_handler_is_a_dead_letter(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    load_all()
    monkeypatch.delitem(inbox.HANDLERS, "telegram")
    ev = inbox.store_event(db, provider="telegram", external_id="1:upd:1", payload={"update_id": 1})
    assert ev is not None
    db.commit()
    assert drain() == ["dead"]
    db.rollback()
    db.expire_all()
    event = db.get(InboundEvent, ev.id)
    assert event.handled_at is None and event.error == "no inbox handler for provider 'telegram'"
    dl = db.scalars(sa.select(DeadLetter).where(DeadLetter.name == "inbox.process")).one()
    assert "no inbox handler for provider 'telegram'" in dl.error
    assert "inbox.process" in REGISTRY
