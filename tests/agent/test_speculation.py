"""The reply job's optimistic two-phase turn (`niaga.agent.speculation`): the offline turn runs in a read
transaction with writes refused, and the write transaction only checks that the conversation is unchanged
and stores the outcome. It must store exactly what the turn run inside the write transaction stores, run
again when the conversation changed in between, leave every turn that writes to the in-lock path, never
write, and answer each message once with several workers."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from niaga.agent import service as agent
from niaga.agent import speculation
from niaga.agent import tasks as agent_tasks
from niaga.db.engine import new_session, session_scope
from niaga.jobs.models import Job
from niaga.messaging import buffer, events
from niaga.messaging.inbound import Inbound, do_receive
from niaga.messaging.models import Conversation, Message
from niaga.tenancy.models import Business


def _no_buffer(db: Any, business: Business, **extra: Any) -> None:
    settings = dict(business.settings or {})
    settings["channels"] = {**(settings.get("channels") or {}), "buffer_seconds": 0}
    settings.update(extra)
    business.settings = settings
    db.commit()


def _say(business_id: int, sender: str, text: str) -> tuple[int, int]:
    """A customer's message as webhook ingest stores it (its own transaction): (conversation, message)."""
    with session_scope(immediate=True) as db:
        b = db.get(Business, business_id)
        assert b is not None
        msg = do_receive(db, business=b, inbound=Inbound(channel="whatsapp", chat_id=sender, text=text))
        assert msg is not None
        return msg.conversation_id, msg.id


def _speculate(conv_id: int) -> speculation.Speculation | None:
    return _speculate_with(speculation.speculate, conv_id)  # looked up now: tests replace it


def _stored(conv_id: int, msg_id: int) -> dict[str, Any]:
    with session_scope() as db:
        conv = db.get(Conversation, conv_id)
        msg = db.get(Message, msg_id)
        assert conv is not None and msg is not None
        replies = list(
            db.scalars(
                sa.select(Message.text).where(Message.reply_to_id == msg_id, Message.direction == "out")
            )
        )
        return {
            "replies": replies,
            "intent": msg.intent,
            "entities": msg.entities,
            "status": msg.delivery_status,
            "memory": conv.memory,
            "summary": conv.summary,
            "owner": conv.owner,
            "preview": conv.last_message_preview,
            "last_at": conv.last_message_at,
            "updated_at": conv.updated_at,
            "unread": conv.unread_count,
        }


class _Spy:
    """Counts which phase stored each turn."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.applied = 0
        self.in_lock = 0
        real_apply, real_store_claimed, real_turn = speculation.apply, speculation.store_claimed, agent.turn

        def apply(*a: Any, **k: Any) -> Any:
            self.applied += 1
            return real_apply(*a, **k)

        def store_claimed(*a: Any, **k: Any) -> Any:
            self.applied += 1
            return real_store_claimed(*a, **k)

        def turn(*a: Any, **k: Any) -> Any:
            self.in_lock += 1
            return real_turn(*a, **k)

        monkeypatch.setattr(speculation, "apply", apply)
        monkeypatch.setattr(speculation, "store_claimed", store_claimed)
        monkeypatch.setattr(agent, "turn", turn)


# Conversations (one list each, several turns: memory and context carry over) across intents and languages.
SCRIPTS = [
    ["halo kak", "ada sajadah?", "harganya berapa?", "stoknya masih ada?", "ongkir ke bandung berapa?"],
    ["hello, do you sell prayer mats?", "how much is it?", "shipping to Jakarta?", "thanks"],
    ["jam buka toko kapan?", "cara bayar gimana?", "brp harga quran tajwid?"],
    ["stok iqro masih ada?", "kalau buku doa harian?", "makasih kak"],
    ["what time do you open?", "is the tajwid quran in stock?"],
    # an order draft kept in memory (the customer's name and the confirmation write: see the fallbacks)
    ["pesan 2 kisah 25 nabi", "diambil di toko aja"],
    ["order 3 peci, kirim ke Bandung pakai JNE"],
]


@pytest.mark.parametrize("script", range(len(SCRIPTS)))
def test_speculation_stores_what_the_turn_in_the_lock_stores(
    db, rizquna, monkeypatch: pytest.MonkeyPatch, script: int
) -> None:  # type: ignore[no-untyped-def]
    """Each turn: speculate (nothing stored), then the job with the speculation switched off runs the turn
    inside its write transaction; what it stored is exactly the speculation's outcome."""
    _no_buffer(db, rizquna)
    bid = rizquna.id
    real_speculate = speculation.speculate
    monkeypatch.setattr(speculation, "speculate", lambda *a, **k: None)
    intents = set()
    for i, text in enumerate(SCRIPTS[script]):
        conv_id, msg_id = _say(bid, f"62811000{script:02d}", text)
        before = _stored(conv_id, msg_id)
        spec = _speculate_with(real_speculate, conv_id)
        assert spec is not None, f"turn {i} ({text!r}) was not speculated"
        assert _stored(conv_id, msg_id) == before, "the speculation stored something"
        assert agent_tasks.reply(conv_id, msg_id) == "replied"
        after = _stored(conv_id, msg_id)
        assert after["replies"] == [spec.reply], text
        assert (after["intent"], after["entities"]) == (spec.intent, spec.entities), text
        assert after["memory"] == spec.memory and after["summary"] == spec.summary, text
        assert after["status"] == "processed" and after["owner"] == "bot"
        intents.add(spec.intent)
    assert len(intents) >= min(2, len(SCRIPTS[script]) - 1)  # most scripts cover several intents


def _speculate_with(fn: Any, conv_id: int) -> speculation.Speculation | None:
    db = new_session()
    try:
        conv = db.get(Conversation, conv_id)
        assert conv is not None
        b = db.get(Business, conv.business_id)
        assert b is not None
        pending = buffer.unanswered(db, conversation_id=conv_id, business_id=conv.business_id)
        result: speculation.Speculation | None = fn(db, business=b, conversation=conv, pending=pending)
        return result
    finally:
        db.rollback()
        db.close()


def test_the_job_uses_the_speculation_and_merges_messages(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The default buffer window: the job of the older message leaves the turn to the newer one's.
    spy = _Spy(monkeypatch)
    published: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "publish", lambda _b, kind, **data: published.append((kind, data)))
    conv_id, m1 = _say(rizquna.id, "6281100000077", "kak")
    _conv, m2 = _say(rizquna.id, "6281100000077", "ada sajadah?")
    assert agent_tasks.reply(conv_id, m1) == "deferred"  # the newer message's job answers both
    before = _stored(conv_id, m2)
    expected = _speculate(conv_id)  # what the job's own speculation will compute (same state)
    assert expected is not None and expected.pending_ids == [m1, m2]
    assert agent_tasks.reply(conv_id, m2) == "replied"
    assert agent_tasks.reply(conv_id, m2) == "deferred"  # a duplicated job answers nothing
    assert (spy.applied, spy.in_lock) == (1, 0)
    first, last = _stored(conv_id, m1), _stored(conv_id, m2)
    assert first["status"] == last["status"] == "processed"
    assert len(last["replies"]) == 1 and first["replies"] == []
    assert last["intent"] == "product_query" and "sajadah" in last["replies"][0].lower()
    assert (last["memory"] or {}).get("turns") == 1
    assert last["replies"] == [expected.reply] and last["memory"] == expected.memory
    assert (last["intent"], last["entities"], last["summary"]) == (
        expected.intent,
        expected.entities,
        expected.summary,
    )
    # The conversation's row as the inbox shows it: the reply is its newest message; unread untouched.
    assert last["preview"] == expected.reply.replace("\n", " ")[:300]
    assert last["last_at"] > before["last_at"] and last["updated_at"] > before["updated_at"]
    assert last["unread"] == before["unread"] == 2
    # The live inbox is told of the reply after the commit, and its delivery is queued.
    with session_scope() as s:
        reply = s.scalars(
            sa.select(Message).where(Message.conversation_id == conv_id, Message.direction == "out")
        ).one()
        assert (reply.reply_to_id, reply.intent, reply.delivery_status) == (m2, "product_query", "queued")
        send = s.scalars(sa.select(Job).where(Job.idempotency_key == f"send:{reply.id}")).one()
        assert (send.name, send.args) == ("channels.send_message", {"message_id": reply.id})
    created = [d for kind, d in published if kind == "message.created" and d["message"]["direction"] == "out"]
    assert [(d["conversation_id"], d["message"]["id"], d["message"]["text"]) for d in created] == [
        (conv_id, reply.id, expected.reply)
    ]


def _change_between_phases(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    real = speculation.speculate

    def speculate_then_change(db: Any, **kw: Any) -> Any:
        spec = real(db, **kw)
        assert spec is not None
        change(kw["conversation"].id)
        return spec

    monkeypatch.setattr(speculation, "speculate", speculate_then_change)


def test_a_staff_message_between_the_phases_makes_the_record_step_recompute(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.messaging import service as conversations

    _no_buffer(db, rizquna)
    conv_id, msg_id = _say(rizquna.id, "6281100000078", "ada sajadah?")

    def staff_writes(cid: int) -> None:
        with session_scope(immediate=True) as s:
            conv = s.get(Conversation, cid)
            assert conv is not None
            conversations.record_outbound(s, conversation=conv, text="Sebentar kak", sender_type="staff")

    _change_between_phases(monkeypatch, staff_writes)
    spy = _Spy(monkeypatch)
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    assert len(_stored(conv_id, msg_id)["replies"]) == 1


def test_a_memory_change_between_the_phases_is_kept(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _no_buffer(db, rizquna)
    conv_id, msg_id = _say(rizquna.id, "6281100000079", "harga quran tajwid berapa?")

    def remember(cid: int) -> None:
        with session_scope(immediate=True) as s:
            conv = s.get(Conversation, cid)
            assert conv is not None
            conv.memory = {**(conv.memory or {}), "probe": "set between the phases"}

    _change_between_phases(monkeypatch, remember)
    spy = _Spy(monkeypatch)
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    # Applying the speculation would have overwritten the memory read before the change.
    stored = _stored(conv_id, msg_id)
    assert stored["memory"]["probe"] == "set between the phases" and stored["memory"]["turns"] == 1


def test_a_new_message_between_the_phases_leaves_the_turn_to_its_job(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # the default window (see above)
    conv_id, msg_id = _say(rizquna.id, "6281100000080", "ada sajadah?")
    newer: list[int] = []
    _change_between_phases(
        monkeypatch, lambda cid: newer.append(_say(rizquna.id, "6281100000080", "warna hijau")[1])
    )
    spy = _Spy(monkeypatch)
    assert agent_tasks.reply(conv_id, msg_id) == "deferred"
    monkeypatch.undo()
    spy = _Spy(monkeypatch)
    assert agent_tasks.reply(conv_id, newer[0]) == "replied"
    assert spy.applied == 1
    assert _stored(conv_id, newer[0])["replies"] and _stored(conv_id, msg_id)["status"] == "processed"


def _rows(conv_id: int) -> dict[str, Any]:
    """What a write inside the speculation would have changed."""
    from niaga.customers.models import Customer
    from niaga.orders.models import Order

    with session_scope() as db:
        conv = db.get(Conversation, conv_id)
        assert conv is not None
        customer = db.get(Customer, conv.customer_id)
        return {
            "owner": conv.owner,
            "memory": conv.memory,
            "summary": conv.summary,
            "customer": {c.key: getattr(customer, c.key) for c in sa.inspect(Customer).column_attrs},
            "orders": db.scalar(sa.select(sa.func.count()).select_from(Order)),
            "jobs": db.scalar(sa.select(sa.func.count()).select_from(Job)),
            "messages": db.scalar(sa.select(sa.func.count()).select_from(Message)),
        }


def _turn_that_writes(
    monkeypatch: pytest.MonkeyPatch, bid: int, sender: str, texts: list[str]
) -> tuple[int, int, _Spy]:
    """Answer `texts[:-1]` through the job, then check that the last one's speculation is void and writes
    nothing; returns (conversation, last message) with the job not yet run for it."""
    for text in texts[:-1]:
        conv_id, msg_id = _say(bid, sender, text)
        assert agent_tasks.reply(conv_id, msg_id) in ("replied", "silent")
    conv_id, msg_id = _say(bid, sender, texts[-1])
    before = _rows(conv_id)
    assert _speculate(conv_id) is None
    assert _rows(conv_id) == before, "the void speculation wrote"
    return conv_id, msg_id, _Spy(monkeypatch)


def test_opt_out_falls_back_to_the_turn_in_the_lock(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.customers.models import Customer
    from niaga.publishing import broadcast

    _no_buffer(db, rizquna)
    conv_id, msg_id, spy = _turn_that_writes(monkeypatch, rizquna.id, "6281100000081", ["halo", "STOP"])
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    assert _stored(conv_id, msg_id)["intent"] == "opt_out"
    with session_scope() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None
        customer = s.get(Customer, conv.customer_id)
        assert customer is not None and (customer.preferences or {}).get(broadcast.OPT_OUT_KEY)


def test_the_customers_name_falls_back_to_the_turn_in_the_lock(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.customers.models import Customer

    _no_buffer(db, rizquna)
    texts = ["pesan 2 kisah 25 nabi", "diambil di toko aja", "Budi"]
    conv_id, msg_id, spy = _turn_that_writes(monkeypatch, rizquna.id, "6281100000087", texts)
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    with session_scope() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None
        customer = s.get(Customer, conv.customer_id)
        assert customer is not None and customer.name == "Budi"


def test_handoff_falls_back_to_the_turn_in_the_lock(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _no_buffer(db, rizquna)
    conv_id, msg_id, spy = _turn_that_writes(
        monkeypatch, rizquna.id, "6281100000082", ["ada sajadah?", "sambungin ke CS manusia dong"]
    )

    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    assert _stored(conv_id, msg_id)["owner"] == "staff"
    # A complaint hands off too: the turn runs in the lock.
    conv_id, msg_id = _say(rizquna.id, "6281100000088", "barangnya rusak pas sampai")
    assert _speculate(conv_id) is None
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 2)
    assert _stored(conv_id, msg_id)["owner"] == "staff"


def test_a_chat_order_falls_back_to_the_turn_in_the_lock(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from niaga.orders.models import Order

    _no_buffer(db, rizquna)
    texts = ["pesan 2 kisah 25 nabi", "diambil di toko aja", "Budi", "ya"]
    conv_id, msg_id, spy = _turn_that_writes(monkeypatch, rizquna.id, "6281100000083", texts)
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    with session_scope() as s:
        order = s.scalars(sa.select(Order).where(Order.business_id == rizquna.id)).one()
        assert order.number in _stored(conv_id, msg_id)["replies"][0]


def test_a_print_shop_turn_falls_back_to_the_print_job_flow(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _no_buffer(db, rizquna, modules={**(rizquna.settings or {}).get("modules", {}), "print": True})
    conv_id, msg_id = _say(rizquna.id, "6281100000084", "tolong hapus file dokumen saya")
    assert _speculate(conv_id) is None
    spy = _Spy(monkeypatch)
    assert agent_tasks.reply(conv_id, msg_id) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 0)  # the print-job flow answered, not the agent
    assert "file" in _stored(conv_id, msg_id)["replies"][0].lower()


def test_the_guard_refuses_writes_and_says_so(db, rizquna) -> None:  # type: ignore[no-untyped-def]
    s = new_session()
    try:
        with speculation.ReadOnlyGuard(s) as guard:
            assert s.scalar(sa.select(Business.name).where(Business.id == rizquna.id)) == rizquna.name
            with pytest.raises(speculation.WriteRefused):
                s.execute(sa.update(Business).where(Business.id == rizquna.id).values(name="x"))
            with pytest.raises(speculation.WriteRefused):
                s.execute(sa.text("INSERT INTO jobs (name) VALUES ('x')"))
        assert len(guard.attempted) == 2
        # Outside the guard the same session writes again (the guard is gone with its block).
        s.execute(sa.update(Business).where(Business.id == rizquna.id).values(name=rizquna.name))
    finally:
        s.rollback()
        s.close()


def test_the_speculation_never_writes(db, rizquna, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every statement the speculation runs is a read, for answered turns and for void ones alike."""
    from sqlalchemy import event

    from niaga.db.engine import get_engine

    _no_buffer(db, rizquna)
    seen: list[str] = []
    inside = threading.local()
    real = speculation.speculate

    def traced(db_: Any, **kw: Any) -> Any:
        inside.on = True
        try:
            return real(db_, **kw)
        finally:
            inside.on = False

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if getattr(inside, "on", False):
            seen.append(statement)

    monkeypatch.setattr(speculation, "speculate", traced)
    event.listen(get_engine(), "before_cursor_execute", record)
    try:
        for text in ("halo", "ada sajadah?", "ongkir ke bandung?", "STOP"):
            conv_id, msg_id = _say(rizquna.id, "6281100000085", text)
            agent_tasks.reply(conv_id, msg_id)
    finally:
        event.remove(get_engine(), "before_cursor_execute", record)
    assert seen
    # Reads only reach the database: the opt-out's UPDATE was refused before the cursor ran it.
    heads = Counter(s.lstrip().split(None, 1)[0].upper() for s in seen)
    assert set(heads) <= {"SELECT", "WITH"}, heads


def test_two_workers_answer_each_message_exactly_once(db, rizquna) -> None:  # type: ignore[no-untyped-def]
    """Two worker threads both run every reply job (duplicated deliveries) over many conversations, in
    opposite orders, for three rounds of messages: every message is answered once, by one reply."""
    _no_buffer(db, rizquna)
    texts = ["ada sajadah?", "harganya berapa?", "ongkir ke bandung?"]
    n_conv = 12
    errors: list[BaseException] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    for rnd, text in enumerate(texts):
        jobs = [_say(rizquna.id, f"62811{c:08d}", text) for c in range(n_conv)]

        def work(order: list[tuple[int, int]]) -> None:
            try:
                for conv_id, msg_id in order:
                    r = agent_tasks.reply(conv_id, msg_id)
                    with lock:
                        outcomes[r] += 1
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=work, args=(jobs,)),
            threading.Thread(target=work, args=(list(reversed(jobs)),)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        for conv_id, msg_id in jobs:
            stored = _stored(conv_id, msg_id)
            assert stored["status"] == "processed"
            assert len(stored["replies"]) == 1, (rnd, conv_id, stored["replies"])
            assert stored["memory"]["turns"] == rnd + 1
    assert outcomes["replied"] == n_conv * len(texts)
    # The other run of each job found its message answered (before or after its speculation).
    assert outcomes["answered"] + outcomes["deferred"] == n_conv * len(texts), outcomes
    with session_scope() as s:
        counts = Counter(
            s.scalars(
                sa.select(Message.reply_to_id).where(
                    Message.business_id == rizquna.id,
                    Message.direction == "out",
                    Message.sender_type == "bot",
                )
            )
        )
    assert set(counts.values()) == {1} and len(counts) == n_conv * len(texts)


def test_messages_partly_answered_by_another_worker_leave_the_rest_to_the_lock(
    db, rizquna, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Between the phases another worker claimed the older of the two messages: the record step claims
    only the newer one and runs the turn for it inside its transaction."""
    conv_id, m1 = _say(rizquna.id, "6281100000086", "kak")
    _conv, m2 = _say(rizquna.id, "6281100000086", "ada sajadah?")

    def other_worker_claims_first(cid: int) -> None:
        with session_scope(immediate=True) as s:
            assert buffer.claim_ids(s, [m1]) == [m1]

    _change_between_phases(monkeypatch, other_worker_claims_first)
    spy = _Spy(monkeypatch)
    assert agent_tasks.reply(conv_id, m2) == "replied"
    assert (spy.applied, spy.in_lock) == (0, 1)
    stored = _stored(conv_id, m2)
    assert stored["status"] == "processed" and len(stored["replies"]) == 1
    assert stored["intent"] == "product_query" and _stored(conv_id, m1)["replies"] == []


def _worker_process(jobs: list[tuple[int, int]], out: Any) -> None:
    """A `serve` worker process: its own engine, every job of `jobs` run in order."""
    from niaga.db import engine
    from niaga.settings import reset_settings_cache

    reset_settings_cache()
    engine.configure()
    results = []
    try:
        for conv_id, msg_id in jobs:
            results.append(agent_tasks.reply(conv_id, msg_id))
    except BaseException as exc:  # reported to the test
        results.append(f"error: {type(exc).__name__}: {exc}")
    out.put(results)


def test_two_worker_processes_answer_each_message_exactly_once(db, rizquna) -> None:  # type: ignore[no-untyped-def]
    """Two worker processes (their own engines, as `niaga serve --workers 2` runs them) both run every reply
    job, in opposite orders. Half the conversations have two unanswered messages (one turn answers both)."""
    import multiprocessing as mp

    _no_buffer(db, rizquna)
    jobs: list[tuple[int, int]] = []
    merged: dict[int, list[int]] = {}
    for c in range(16):
        sender = f"62812{c:08d}"
        texts = ["kak", "ada sajadah?"] if c % 2 else ["harga quran tajwid berapa?"]
        for text in texts:
            conv_id, msg_id = _say(rizquna.id, sender, text)
            jobs.append((conv_id, msg_id))
            merged.setdefault(conv_id, []).append(msg_id)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker_process, args=(order, out)) for order in (jobs, list(reversed(jobs)))]
    for p in procs:
        p.start()
    results = [out.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    outcomes = Counter(r for rs in results for r in rs)
    assert not [r for r in outcomes if r.startswith("error")], outcomes
    assert outcomes["replied"] == len(merged), outcomes
    for conv_id, ids in merged.items():
        for mid in ids:
            assert _stored(conv_id, mid)["status"] == "processed"
        replies = [r for mid in ids for r in _stored(conv_id, mid)["replies"]]
        assert len(replies) == 1, (conv_id, replies)
        assert _stored(conv_id, ids[-1])["replies"] == replies  # the turn answers the newest message
