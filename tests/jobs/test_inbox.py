from __future__ import annotations

import sqlalchemy as sa

from niaga.integrations import inbox
from niaga.integrations.models import InboundEvent
from niaga.jobs.models import Job
from niaga.jobs.runner import drain

HANDLED: list[int] = []


@inbox.handler("test-provider")
def _handle(db, event):
    if event.payload.get("explode") and event.attempts < 2:
        raise RuntimeError("boom")
    HANDLED.append(event.id)


def test_duplicate_event_is_stored_once_and_processed_once(db):
    first = inbox.store_event(db, provider="test-provider", external_id="evt-1", payload={"a": 1})
    db.commit()
    again = inbox.store_event(db, provider="test-provider", external_id="evt-1", payload={"a": 1})
    db.commit()
    assert first is not None and again is None
    assert db.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(Job)) == 1
    drain()
    assert HANDLED.count(first.id) == 1
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    assert db.get(InboundEvent, first.id).handled_at is not None


def test_same_external_id_from_another_provider_is_a_different_event(db):
    assert inbox.store_event(db, provider="test-provider", external_id="x", payload={}) is not None
    assert inbox.store_event(db, provider="other-provider", external_id="x", payload={}) is not None


def test_failed_processing_keeps_error_and_retries(db):
    from datetime import timedelta

    from niaga.kit.timeutil import utcnow

    ev = inbox.store_event(db, provider="test-provider", external_id="evt-2", payload={"explode": True})
    db.commit()
    assert drain() == ["retry"]
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    stored = db.get(InboundEvent, ev.id)
    assert stored.handled_at is None and "boom" in stored.error
    assert drain(now=utcnow() + timedelta(minutes=5)) == ["done"]
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    assert db.get(InboundEvent, ev.id).handled_at is not None


def test_unknown_provider_is_acknowledged_not_an_error(db):
    ev = inbox.store_event(db, provider="nobody-handles-this", external_id="1", payload={})
    db.commit()
    assert drain() == ["done"]
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    assert db.get(InboundEvent, ev.id).handled_at is not None


def test_replay_requeues_failed_events(db):
    ev = inbox.store_event(db, provider="test-provider", external_id="evt-3", payload={}, process=False)
    ev.error = "earlier failure"
    db.commit()
    assert inbox.replay_failed(db) == 1
    db.commit()
    drain()
    db.rollback()
    db.expire_all()  # fresh snapshot and objects
    assert db.get(InboundEvent, ev.id).handled_at is not None


def test_batch_insert_marks_duplicates_inside_the_batch_and_against_stored_events(db):
    inbox.store_event(db, provider="test-provider", external_id="old", payload={}, process=False)
    ids = inbox.insert_events(
        db,
        [
            {"provider": "test-provider", "external_id": "new-1", "payload": {"n": 1}},
            {"provider": "test-provider", "external_id": "old", "payload": {}},
            {"provider": "test-provider", "external_id": "new-1", "payload": {"n": 1}},
            {"provider": "other-provider", "external_id": "new-1", "payload": {}},
        ],
    )
    db.commit()
    assert ids[0] is not None and ids[3] is not None and ids[0] != ids[3]
    assert ids[1] is None and ids[2] is None
    assert db.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 3


async def _store_many(n: int) -> list[bool]:
    import asyncio

    return list(
        await asyncio.gather(
            *[
                inbox.store_event_async(
                    provider="test-provider", external_id=f"burst-{i % (n // 2)}", payload={"i": i}
                )
                for i in range(n)
            ]
        )
    )


def test_group_commit_stores_a_burst_once_per_event_and_enqueues_one_job_each(db):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    # In a thread of its own, as the server's loop runs: the run's shared Playwright (browser tests) keeps its
    # event loop current in the main thread for the whole session.
    with ThreadPoolExecutor(1) as pool:
        results = pool.submit(asyncio.run, _store_many(40)).result()
    assert results.count(True) == 20 and results.count(False) == 20
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(InboundEvent)) == 20
    assert db.scalar(sa.select(sa.func.count()).select_from(Job).where(Job.name == "inbox.process")) == 20
