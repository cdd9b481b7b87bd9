"""What an item says now: the first report with every later statement merged in. No I/O here.

A first report may lack the reporting unit, the place or the measures taken; the documents expect
them to follow (呼政办发〔2014〕30号 一: 首报……之后及时续报; 鲁政办字〔2016〕86号 第10条: 可先
报告基本情况……之后及时续报). A follow-up that states a field (`continue ID --unit …`) supplies
it, and the latest statement of a field wins. `show`, `status` and `report` all read an item
through `current_facts`, so they never disagree about what the item now says.

Sensitive items (涉密/敏感, `file --sensitive`; 鲁政办字〔2016〕86号 第5条: 涉密或敏感类的重要信息
舆情要用保密方式报送) are concealed by `visible_facts` and `concealed_data` wherever an output
is not asked for them with --include-sensitive.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from yaoqing_cli import vocab
from yaoqing_cli.models import EMPTY, Event, Item
from yaoqing_cli.vocab import EventType

# Members bound once: looking up an enum member costs ten times a global in the hot loops.
FILE, CONTINUE, LEVEL, EXTEND, CLOSE, _OFFICE, _CALENDAR = list(EventType)[:7]
CORRECT = EventType.CORRECT

# Shown instead of anything a sensitive item says (title, unit, place, caller, text).
MASK = "〔涉密/敏感，内容不在汇总中显示〕"

# Fields a follow-up (续报) may supply, besides its text: `continue --unit --location ...`.
SUPPLIED = vocab.FOLLOWUP_FIELDS
NOT_TEXT = vocab.NOT_TEXT
TEXT_KEYS = frozenset(vocab.TEXT_FIELDS)
CORRECTED = frozenset(vocab.CORRECTED_TEXTS)


class Facts(NamedTuple):
    title: str
    unit: str | None  # the latest statement of the reporting unit (报送单位)
    details: Mapping[str, str]  # the first report's details with later statements merged in
    # first-report values of the fields a follow-up restated differently (None: not given then)
    original: Mapping[str, str | None] = EMPTY
    # which follow-up (续报 n) made the current statement of each supplied field
    supplied_by: Mapping[str, int] = EMPTY
    concealed: bool = False


def current_facts(item: Item, events: Sequence[Event], until: datetime | None = None) -> Facts:
    """The item as its statements up to `until` (all, if None) leave it.

    Statements are taken in the order they happened (then as recorded), as the deadline engine
    takes them, so a back-entered follow-up counts from when it was made."""
    unit = item.unit
    details = {k: v for k, v in item.details.items() if v}
    supplied_by: dict[str, int] = {}
    statements = [
        e
        for e in events
        if (until is None or e.happened_at <= until)
        and (
            (e.type == CONTINUE and any(e.data.get(key) for key in SUPPLIED))
            or (e.type == CORRECT and (e.data.get("to") or {}).keys() & {"unit", "location"})
        )
    ]
    if not statements:  # most items: nothing was supplied later
        return Facts(item.title, unit, details)
    for event in sorted(statements, key=lambda e: (e.happened_at, e.seq)):
        if event.type == CORRECT:  # 更正: the corrected value stands, as the first report's
            fixed = event.data.get("to") or {}
            if "unit" in fixed:
                unit = fixed["unit"]
                supplied_by.pop("unit", None)
            if "location" in fixed:
                details.pop("location", None)
                if fixed["location"]:
                    details["location"] = fixed["location"]
                supplied_by.pop("location", None)
            continue
        for key in SUPPLIED:
            value = event.data.get(key)
            if not value:
                continue
            if key == "unit":
                unit = value
            else:
                details[key] = value
            supplied_by[key] = event.data.get("n") or 0
    original: dict[str, str | None] = {}
    for key in supplied_by:
        first = item.unit if key == "unit" else item.details.get(key)
        now = unit if key == "unit" else details.get(key)
        if now != first:
            original[key] = first or None
    return Facts(item.title, unit, details, original, supplied_by)


def concealed(facts: Facts) -> Facts:
    """The same facts with everything the item says replaced by MASK (absent stays absent)."""
    return facts._replace(
        title=MASK,
        unit=MASK if facts.unit else None,
        details={k: v if k in NOT_TEXT else MASK for k, v in facts.details.items()},
        original={k: (MASK if v else None) for k, v in facts.original.items()},
        concealed=True,
    )


def visible_facts(
    item: Item, events: Sequence[Event], until: datetime | None, include_sensitive: bool
) -> Facts:
    """What an output may show of the item: all of it, or MASK for a sensitive item."""
    facts = current_facts(item, events, until)
    return concealed(facts) if item.sensitive and not include_sensitive else facts


def hidden(item: Item, include_sensitive: bool) -> bool:
    return item.sensitive and not include_sensitive


def concealed_data(data: Mapping[str, Any], type_: str) -> dict:
    """An event payload (of an event of type `type_`) with every text a sensitive item carries
    replaced by MASK."""
    masked = dict(data)
    for key in vocab.TEXT_FIELDS:
        if masked.get(key):
            masked[key] = MASK
    if isinstance(masked.get("details"), Mapping):
        masked["details"] = {k: v if k in NOT_TEXT else MASK for k, v in masked["details"].items()}
    for side in ("from", "to"):  # a correction's old and new words (更正)
        if isinstance(masked.get(side), Mapping):
            masked[side] = {
                k: MASK if k in vocab.CORRECTED_TEXTS and v else v for k, v in masked[side].items()
            }
    return conceal_names(masked, MASK, type_)


def conceal_names(data: dict, mark: str, type_: str) -> dict:
    """The names of 传与跟 in an event payload (vocab.HANDED_NAMES, by event type) replaced by
    `mark`: a unit list keeps its length."""
    for key in vocab.HANDED_NAMES.get(type_, ()):
        value = data.get(key)
        if isinstance(value, str) and value:
            data[key] = mark
        elif isinstance(value, list) and value:
            data[key] = [mark] * len(value)
    return data


def typed_words(data: Mapping[str, Any]) -> list[str]:
    """Everything an event payload says in words (what `yaoqing search` finds, and what a
    sensitive item conceals): title, texts, reasons and every detail field, in the order of the
    keys (the order of the stored JSON, whose keys are sorted: store.search_rows_unlike_events
    reads the same words with SQLite's json_tree). Fast: verify recomputes it often."""
    words = []
    for key in sorted(data):
        value = data[key]
        if key == "details" and type(value) is dict:
            words += [
                v for k, v in sorted(value.items()) if v and type(v) is str and k not in NOT_TEXT
            ]
        elif key in TEXT_KEYS and value and type(value) is str:
            words.append(value)
        elif key == "to" and type(value) is dict:  # a correction's new words (更正)
            words += [
                v for k, v in sorted(value.items()) if k in CORRECTED and v and type(v) is str
            ]
    return words


def concealed_reason(text: str) -> str:
    """A clock change's reason ("定级变更为较大（III级）：typed words") without the typed words."""
    head, _, typed = text.partition("：")
    return f"{head}：{MASK}" if typed else head
