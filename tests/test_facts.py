"""Invariants of facts.current_facts (the merge `show`, `status` and `report` share), drawn by
hypothesis: whatever order follow-ups were recorded in, the statement that happened last wins,
`original` names exactly the fields that now differ from the first report, and concealing
leaves nothing typed."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from yaoqing_cli.facts import MASK, SUPPLIED, concealed, current_facts
from yaoqing_cli.models import Event, Item

FILED = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
values = st.sampled_from(["甲", "乙", "丙"])
statement = st.tuples(
    st.integers(min_value=0, max_value=600),  # minutes after filing
    st.dictionaries(st.sampled_from(SUPPLIED), values, max_size=3),
)


def item(first: dict) -> Item:
    return Item(
        id="20261122-001",
        year=2026,
        issue_no=1,
        title="标题",
        kind="emergency",
        level="large",
        policy="shandong",
        policy_hash="0" * 64,
        occurred=FILED,
        received=FILED,
        filed=FILED,
        unit=first.get("unit"),
        details={k: v for k, v in first.items() if k != "unit"},
    )


@given(st.dictionaries(st.sampled_from(SUPPLIED), values), st.lists(statement, max_size=6))
def test_the_statement_that_happened_last_wins(first, statements):
    events = [
        Event(
            seq,
            f"u{seq}",
            "20261122-001",
            "continue",
            FILED + timedelta(minutes=m),
            FILED + timedelta(days=1),
            None,
            {"n": seq, **said},
        )
        for seq, (m, said) in enumerate(statements, start=1)
    ]
    subject = item(first)
    facts = current_facts(subject, list(reversed(events)))  # recording order must not matter
    for key in SUPPLIED:
        expected = first.get(key)
        for event in sorted(events, key=lambda e: (e.happened_at, e.seq)):
            expected = event.data.get(key) or expected
        now = facts.unit if key == "unit" else facts.details.get(key)
        assert now == expected
        assert (key in facts.original) == (expected != first.get(key))
        if key in facts.original:
            assert facts.original[key] == first.get(key)
    hidden = concealed(facts)
    shown = [hidden.title, hidden.unit, *hidden.details.values(), *hidden.original.values()]
    assert all(value in (MASK, None) for value in shown)
