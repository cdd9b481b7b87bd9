"""`yaoqing search`: which items said something, in any event: the title, every follow-up's and
close's text, reasons and every detail field (facts.typed_words). The store answers from its
search index (an FTS5 table with the trigram tokenizer, made with sqlite-utils: migration m005),
or for text shorter than three characters by scanning the same words with LIKE.

Each item found is shown as the board shows it, on one line (ID, title as it is now, kind, current
level, policy, closed or not), then its newest matching statement: which event, when, and the
words around the match. Sensitive items (涉密/敏感) are never listed without --include-sensitive:
they are counted, and the count says how many were left out. Rendering is at the bottom.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import iso_local, local_text
from yaoqing_cli.errors import UsageError
from yaoqing_cli.facts import Facts, current_facts
from yaoqing_cli.models import Item
from yaoqing_cli.session import Log
from yaoqing_cli.store import SearchHit
from yaoqing_cli.vocab import EventType

DEFAULT_LIMIT = 50  # items listed unless --limit says otherwise; the count covers them all
MAX_QUERY = 200  # characters
SNIPPET_BEFORE, SNIPPET_AFTER = 12, 24  # characters of context around the match


@dataclass(frozen=True)
class Found:
    item: Item
    hit: SearchHit
    facts: Facts  # what the item says now (follow-ups merged)
    level: str | None  # its current level
    closed: bool


@dataclass(frozen=True)
class SearchResult:
    query: str
    found: list[Found]  # the newest `limit` of the items that may be shown
    matched: int  # items matched that may be shown
    hidden: int  # sensitive items not searched (no --include-sensitive): all of them
    drill: bool


def clean_query(text: str) -> str:
    """The text to look for: spaces collapsed, NFC; empty refused, and every character no field
    of the log may hold (controls, zero-width and bidi marks, separators: service.check_text),
    which could match nothing and, echoed back, would turn the answer line around."""
    from yaoqing_cli.service import check_text

    checked = check_text(text.replace("\t", " "), "搜索内容", multiline=True) or ""
    cleaned = " ".join(unicodedata.normalize("NFC", checked).split())
    if not cleaned:
        raise UsageError("搜索内容为空；例如 yaoqing search 山体滑坡")
    if len(cleaned) > MAX_QUERY:
        raise UsageError(f"搜索内容过长：{len(cleaned)} 个字符；最多 {MAX_QUERY} 个")
    return cleaned


def search(
    log: Log,
    text: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
    unit: str | None = None,
    include_sensitive: bool = False,
    limit: int | None = DEFAULT_LIMIT,
) -> SearchResult:
    from yaoqing_cli.engine import current_level
    from yaoqing_cli.service import check_text

    store = log.store
    query = clean_query(text)
    if since is not None and until is not None and until <= since:
        raise UsageError("--until 须晚于 --since")
    if limit is not None and limit < 0:
        raise UsageError(f"--limit 须为 0 或正整数（0 为全部），不是 {limit}")
    answer = store.search(
        query,
        since=since,
        until=until,
        kind=kind,
        unit=check_text(unit, "报送单位", label=True),  # NFKC, as every unit is stored
        include_sensitive=include_sensitive,
        limit=limit,
    )
    chosen = answer.hits
    ids = [h.item_id for h in chosen]
    items = {item.id: item for item in store.items_by_id(ids)}
    events = store.events_for(ids)
    found = []
    for hit in chosen:
        item, history = items[hit.item_id], events[hit.item_id]
        found.append(
            Found(
                item=item,
                hit=hit,
                facts=current_facts(item, history),
                level=current_level(item, history),
                closed=any(e.type == EventType.CLOSE for e in history),
            )
        )
    return SearchResult(
        query=query,
        found=found,
        matched=answer.matched,
        hidden=answer.hidden,
        drill=log.drill,
    )


def snippet(body: str, query: str) -> str:
    """The words around the first match in `body` (the matched field's line), the match in
    「」; the first line, cut short, if the match spans fields."""
    folded = query.casefold()
    for line in body.splitlines():
        low = line.casefold()
        at = low.find(folded) if len(low) == len(line) else line.find(query)
        if at < 0:
            continue
        end = at + len(query)
        start = max(0, at - SNIPPET_BEFORE)
        stop = min(len(line), end + SNIPPET_AFTER)
        return (
            ("…" if start else "")
            + f"{line[start:at]}「{line[at:end]}」{line[end:stop]}"
            + ("…" if stop < len(line) else "")
        )
    first = body.splitlines()[0] if body else ""
    limit = SNIPPET_BEFORE + SNIPPET_AFTER
    return first if len(first) <= limit else first[:limit] + "…"


def statement(hit: SearchHit) -> str:
    """Which event matched: 首报, 续报三, 终报, 定级变更, 延期."""
    from yaoqing_cli.vocab import cn_number

    if hit.type == "continue" and hit.n:
        return f"续报{cn_number(int(hit.n))}"
    return vocab.EVENT_LABELS.get(hit.type, hit.type)


# --- rendering ---------------------------------------------------------------------------------


def to_text(result: SearchResult, tz: ZoneInfo) -> str:
    shown = len(result.found)
    more = f"，显示最新的 {shown} 条（--limit 0 显示全部）" if shown < result.matched else ""
    drill = "【演练】" if result.drill else ""
    out = [f"搜索“{result.query}”：{result.matched} 条要情{more}，按最近一次提及排列{drill}"]
    if not result.found:
        out.append("无。")
    for f in result.found:
        item = f.item
        closed = "  已终报" if f.closed else ""
        out.append(
            f"{item.id}  {f.facts.title}  [{vocab.label(vocab.KINDS, item.kind)}·"
            f"{vocab.grade_label(item.kind, f.level, item.message_class)}·{item.policy}]{closed}  "
            f"{statement(f.hit)} {local_text(f.hit.happened_at, tz)}："
            f"{snippet(f.hit.body, result.query)}"
        )
    if result.hidden:
        out.append(
            f"{result.hidden} 条涉密/敏感要情未检索（无论是否匹配）；确需检索请加 --include-sensitive"
        )
    return "\n".join(out)


def to_json(result: SearchResult, tz: ZoneInfo) -> dict:
    return {
        "query": result.query,
        "matched": result.matched,
        "hidden_sensitive": result.hidden,
        "items": [
            {
                "id": f.item.id,
                "title": f.facts.title,
                "kind": f.item.kind,
                "level": f.level,
                "policy": f.item.policy,
                "unit": f.facts.unit,
                "closed": f.closed,
                "sensitive": f.item.sensitive,
                "match": {
                    "event": f.hit.type,
                    "n": f.hit.n,
                    "happened_at": iso_local(f.hit.happened_at, tz),
                    "snippet": snippet(f.hit.body, result.query),
                },
            }
            for f in result.found
        ],
    }
