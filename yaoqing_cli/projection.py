"""The clocks projection: each open item's running clocks, kept in the log (table `clocks`).

The handover views (`status --overdue`, `--due-within`) first ask it which items have a clock in
range, and judge only those (or, on a brief board, read the lines straight from it). It is
rewritten by the deadline engine itself on every write (`keep_clocks`, inside the write's
transaction, with the item, events, policies and calendar the write already holds), and read
only when it cannot be stale (`serves`): it was computed with this code, time zone and calendar
(`clock_basis`), and nothing in the log happened after the moment asked. verify checks it
against the engine (`clock_differences`).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from yaoqing_cli.clock import to_utc_text
from yaoqing_cli.errors import LogError, UsageError
from yaoqing_cli.models import Event, Item
from yaoqing_cli.session import Log


def clock_basis(tz_name: str, calendar) -> str:
    """What the projection's deadlines depend on besides the log itself (policies are frozen
    onto items by hash). A change of any of these makes the next write rebuild it."""
    from yaoqing_cli import __version__

    return f"yaoqing {__version__} rules {_rules_digest()}; tz {tz_name}; {calendar.identity()}"


def _rules_digest() -> str:
    """The code that turns events into stored clocks: an upgrade that changes it, version
    number or not, must not be answered from clocks the old code counted. Each module's source
    size and modification time, the test Python itself uses to find its compiled code stale
    (0.03 ms; reading the sources took 1.7 ms of every command). A touched file costs one
    rebuild of the projection, never a wrong answer. A zipped install hashes the sources."""
    import sys
    import zlib  # a change detector, not a seal: crc32 spares the 2 ms hashlib import

    from yaoqing_cli import clock, engine, models, policy, store, vocab, workdays

    digest = 0
    for module in (engine, policy, workdays, vocab, clock, store, models, sys.modules[__name__]):
        try:
            digest = zlib.crc32(_source_stamp(module), digest)
        except (OSError, AttributeError, TypeError):
            return "unknown"
    return f"crc32:{digest:08x}"


def _source_stamp(module) -> bytes:
    import os

    try:
        stat = os.stat(module.__file__)
    except OSError:  # inside a zip: no file of its own
        return module.__loader__.get_data(module.__file__)
    return f"{module.__name__}:{stat.st_size}:{stat.st_mtime_ns}".encode()


def _calendar_or_none(log: Log):
    try:
        return log.calendar
    except (UsageError, LogError):
        return None


def keep_clocks(
    log: Log,
    held: Iterable[tuple[Item, Sequence[Event]]] = (),
    item_ids: Sequence[str] = (),
) -> None:
    """Bring the projection up to date for the items a write touched: `held`, the items the
    write already holds with all their events (its own included), and `item_ids`, others to be
    read. Call inside the write's transaction, after its events. Rebuilds every open item's
    clocks if the basis changed. Logging a report never fails for the projection's sake: an
    unreadable calendar file or a missing policy snapshot leaves a basis that matches nothing,
    and status judges every item (naming the damage) until a write can rebuild it."""
    from yaoqing_cli.engine import running_clocks

    store = log.store
    calendar = _calendar_or_none(log)
    if calendar is None:
        store.reset_clocks("unusable: calendar file unreadable")
        return
    basis = clock_basis(log.office.tz, calendar)
    held = list(held)
    if store.clock_basis() != basis:
        store.reset_clocks(basis)
        held, item_ids = [], store.open_item_ids()
    known = {item.id for item, _ in held}
    resolve = log.policies.resolver()
    try:
        judged = [
            (item, *running_clocks(item, events, log.policies.get(item), calendar, log.tz, resolve))
            for item, events in held
        ]
        judged += running(log, [i for i in dict.fromkeys(item_ids) if i not in known], calendar)
    except LogError:
        store.reset_clocks("unusable: a policy snapshot is missing")
        return
    for item, level, clocks in judged:
        store.replace_clocks(item, level, clocks)


def running(log: Log, item_ids: Sequence[str], calendar) -> list[tuple]:
    """(item, current level, running clocks) of each item, as the engine judges them after
    every recorded event. Raises LogError if an item's policy snapshot is missing."""
    from yaoqing_cli.engine import running_clocks

    items = log.store.items_by_id(item_ids)
    grouped = log.store.events_for([item.id for item in items])
    return [
        (
            item,
            *running_clocks(
                item,
                grouped[item.id],
                log.policies.get(item),
                calendar,
                log.tz,
                log.policies.resolver(),
            ),
        )
        for item in items
    ]


def serves(log: Log, moment: datetime) -> bool:
    """Can the projection answer for `moment`: same basis, and nothing happened after it?"""
    if log.store.clock_basis() != clock_basis(log.office.tz, log.calendar):
        return False
    latest = log.store.latest_happened()
    return latest is None or latest <= moment


def clocks_due(log: Log, moment: datetime, horizon: datetime | None, overdue_only: bool):
    """The projection's running clocks overdue at `moment` (overdue_only) or due by `horizon`,
    earliest first. Overdue means now > deadline; stored deadlines are whole seconds. An
    overdue clock is also due within any horizon, so the earlier bound is the only one needed."""
    if overdue_only:
        return log.store.clocks_due(moment, inclusive=bool(moment.microsecond))
    return log.store.clocks_due(horizon, inclusive=True)


def clocks_from_projection(log: Log, due: Sequence, moment: datetime) -> list:
    """Brief lines (status.Clock) straight from the projection: no events read, no item
    re-judged. What the policy says of a clock (its name, who is told of such an item) is
    worked out once per kind of clock, not once per line: a flood leaves thousands of lines."""
    from yaoqing_cli.engine import escalation_reached, standing_notices
    from yaoqing_cli.status import Clock

    known: dict[tuple, tuple] = {}
    clocks = []
    ids = list(dict.fromkeys(row.item_id for row in due))
    sensitive = log.store.sensitive_ids(ids)
    told = log.store.told_names(ids, moment)  # who each item has told: shown as 已报告
    for item_id, key, deadline, level, fallback, title, kind, category, policy_hash in due:
        sort = (policy_hash, key, kind, level, category)
        facts = known.get(sort)
        if facts is None:
            policy = log.policies.by_hash(policy_hash, item_id)
            notices = standing_notices(policy, kind, level, category)
            facts = known[sort] = (
                policy.duty(key).name,
                tuple((n.heading, n.who) for n in notices),
                policy if policy.escalation else None,
            )
        name, who, escalating = facts
        if escalating is not None:
            who += tuple(
                ("须报告", w) for w in escalation_reached(escalating, key, deadline, moment)
            )
        if item_id in told:
            names = told[item_id]
            who = tuple(("已报告", w) if h and w in names else (h, w) for h, w in who)
        # tuple.__new__ skips NamedTuple's Python-level __new__: a third of this loop's time
        clocks.append(
            _new_clock(
                Clock,
                (
                    item_id,
                    title,
                    key,
                    name,
                    deadline,
                    moment > deadline,
                    who,
                    fallback,
                    item_id in sensitive,
                ),
            )
        )
    return clocks


_new_clock = tuple.__new__


def clock_differences(log: Log) -> list:
    """Every stored clock (derived.Difference, by item, duty and column) that differs from what
    the engine makes of the events (for verify). A projection whose basis does not match is
    never read, so it is not checked; nor is one that cannot be judged (status names what is
    unreadable)."""
    from yaoqing_cli.derived import MISSING, Difference
    from yaoqing_cli.store import ClockRow

    store = log.store
    calendar = _calendar_or_none(log)
    if calendar is None or store.clock_basis() != clock_basis(log.office.tz, calendar):
        return []
    try:
        judged = running(log, store.open_item_ids(), calendar)
    except LogError:
        return []
    expected = {
        ClockRow.of(item, level, clock) for item, level, clocks in judged for clock in clocks
    }
    stored = store.clock_rows()
    if expected == stored:
        return []
    want = {row[:2]: row for row in expected}
    have = {row[:2]: row for row in stored}
    found = []
    for key in sorted(set(want) | set(have), key=str):
        a, b = have.get(key), want.get(key)
        if a == b:
            continue
        if a is None or b is None:
            found.append(
                Difference(
                    "clocks",
                    key[0],
                    f"{key[1]}（整行）",
                    MISSING if a is None else "有此行",
                    MISSING if b is None else "有此时限",
                )
            )
            continue
        for name, x, y in zip(ClockRow._fields, a, b, strict=True):
            if x != y:
                found.append(Difference("clocks", key[0], f"{key[1]} {name}", _shown(x), _shown(y)))
    return found


def _shown(value):
    """A clock column as verify names it (times in the stored UTC form)."""
    if isinstance(value, datetime):
        return to_utc_text(value)
    return int(value) if isinstance(value, bool) else value
