"""Build a realistic large log fast: ten years of a busy city office by default.

    python bench/generate.py OUT.db [--items 200000] [--open 50] [--end 2026-11-22T12:00+08:00]

The log is made by the real migrations and the real hash chain (store.canonical_event and
chain_hash), written with sqlite-utils' bulk inserts (insert_all) in one transaction, so
`yaoqing verify` passes on it; the clocks projection and the search index are then built by the
functions every write calls.
Items spread evenly over the years before --end, across every policy and kind; about five
events an item; all but --open items are closed. Of the open ones, `overdue_share` were filed
days ago with no follow-up (a clock has run out), the rest minutes ago (every clock running).
"""

import argparse
import random
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database

from yaoqing_cli.clock import to_utc_text
from yaoqing_cli.models import canonical_json
from yaoqing_cli.policy import load_policy
from yaoqing_cli.projection import keep_clocks
from yaoqing_cli.session import Log
from yaoqing_cli.store import GENESIS_HASH, Office, Store, canonical_event, chain_hash

POLICIES = ["shandong", "yunnan", "inner-mongolia", "jiangxi", "national"]
KINDS = ["emergency", "opinion", "warning", "message"]
LEVELS = ["especially-major", "major", "large", "general"]
UNITS = [
    "历下区",
    "市中区",
    "槐荫区",
    "天桥区",
    "历城区",
    "长清区",
    "章丘区",
    "市应急局",
    "市公安局",
    "市卫健委",
]
# Titles vary as a real log's do, so `yaoqing search` meets realistic hits: a place and an
# incident, chosen by the item's number (no extra random draws: the log is otherwise unchanged).
TOWNS = [
    "仲宫镇", "柳埠镇", "西营镇", "港沟街道", "唐王街道", "董家街道", "遥墙街道", "临港街道",
    "彩石街道", "华山街道", "荷花路街道", "王舍人街道", "郭店街道", "孙村街道", "高而乡",
    "龙山街道", "明水街道", "双山街道", "埠村街道", "圣井街道", "普集街道", "官庄街道",
    "相公庄街道", "文祖街道", "曹范街道", "白云湖街道", "高官寨街道", "宁家埠街道", "刁镇",
    "垛庄镇", "黄河街道", "辛寨街道", "水寨镇", "文昌街道", "崮云湖街道", "平安街道",
    "五峰山街道", "归德街道", "张夏街道", "万德街道", "马山镇", "双泉镇", "孝里街道",
    "段店北路街道", "张庄路街道", "匡山街道", "美里湖街道", "吴家堡街道", "玉清湖街道", "兴福街道",
]  # fmt: skip
INCIDENTS = [
    "山体滑坡", "道路交通事故", "民房火灾", "化工企业泄漏", "燃气管道破裂", "河道溺水",
    "暴雨内涝", "冰雹灾害", "森林火情", "供水管网爆裂", "食物中毒", "电梯困人",
    "建筑工地坍塌", "群体性上访", "网传谣言", "校园安全事件", "停电故障", "危化品运输车侧翻",
    "大风灾害", "雪后道路结冰", "疫情聚集性病例", "游客走失", "桥梁受损",
]  # fmt: skip


ITEM_FIELDS = (
    "id", "year", "issue_no", "title", "kind", "level", "policy", "policy_hash", "occurred",
    "received", "filed", "message_class", "unit", "category",
)  # fmt: skip
BATCH = 1000  # rows per INSERT: 20 columns stay under SQLite's 32 766 parameters


dump = canonical_json


def build(
    path: Path,
    items: int,
    open_items: int,
    end: datetime,
    overdue_share: float = 0.5,
    years: float = 10.0,
    seed: int = 7,
) -> None:
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    store = Store.open(path, create=True)
    db = store.db
    tz_name = "Asia/Shanghai"
    policies = {name: load_policy(name) for name in POLICIES}
    with store.transaction():
        # a drill log: the benchmark writes with YAOQING_NOW, honoured only on one
        store.set_office(
            Office("基准市人民政府办公厅", "基准市", "shandong", tz_name, "基准值班员", drill=True)
        )
        for policy in policies.values():
            store.save_policy_snapshot(policy.name, policy.hash, policy.to_snapshot())
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    span = timedelta(days=365.25 * years)
    start = end - span
    step = span / items
    head = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    prev = head[0] if head else GENESIS_HASH  # after the office event
    item_rows, event_rows = [], []
    day_counts: dict[str, int] = {}
    year_counts: dict[int, int] = {}
    for n in range(items):
        is_open = n >= items - open_items
        policy = policies[POLICIES[n % len(POLICIES)]]
        kind = KINDS[rng.randrange(4)] if n % 7 else "message"
        level = None if kind in ("message", "warning") else LEVELS[rng.randrange(4)]
        message_class = rng.choice(["praise", "advice", "appeal"]) if kind == "message" else None
        late = is_open and rng.random() < overdue_share
        if late:
            # a major incident filed days ago with no follow-up: under every policy, some
            # clock of it (follow-up, authoritative information, press conference) has run out
            kind, level, message_class = "emergency", LEVELS[rng.randrange(2)], None
            filed = end - timedelta(days=rng.uniform(1.3, 3))
        elif is_open:
            filed = end - timedelta(minutes=rng.uniform(5, 20))  # just filed: every clock running
        else:
            filed = start + step * n
        filed = filed.replace(microsecond=0)
        occurred = filed - timedelta(
            minutes=rng.randint(1, 5) if is_open and not late else rng.randint(10, 150)
        )
        local = filed.astimezone(tz)
        day = local.strftime("%Y%m%d")
        day_counts[day] = day_counts.get(day, 0) + 1
        year_counts[local.year] = year_counts.get(local.year, 0) + 1
        item_id = f"{day}-{day_counts[day]:03d}"
        unit = UNITS[rng.randrange(len(UNITS))]
        details = {"location": f"{unit}某处", "summary": "基准数据"}
        payload = {
            "id": item_id,
            "year": local.year,
            "issue_no": year_counts[local.year],
            "title": f"{TOWNS[n % len(TOWNS)]}{INCIDENTS[n % len(INCIDENTS)]}（基准 {n}）",
            "kind": kind,
            "level": level,
            "policy": policy.name,
            "policy_hash": policy.hash,
            "occurred": to_utc_text(occurred),
            "received": to_utc_text(occurred),
            "filed": to_utc_text(filed),
            "message_class": message_class,
            "unit": unit,
            "category": None,
            "sensitive": False,
            "coordination": False,
            "details": details,
        }
        events = [("file", filed, payload)]
        t = filed
        last = max(filed, end - timedelta(minutes=1))  # nothing has happened after --end
        for k in range(0 if is_open else 3):
            t = min(t + timedelta(minutes=rng.randint(20, 600)), last)
            events.append(("continue", t, {"n": k + 1, "text": "续报", "done": []}))
        closed_at = None
        if not is_open:
            t = min(t + timedelta(hours=rng.randint(1, 48)), last)
            closed_at = t
            events.append(("close", t, {"text": "处置完毕", "outcome": "resolved"}))
        item_rows.append(
            {
                **{k: payload[k] for k in ITEM_FIELDS},
                "day": day,
                "day_no": day_counts[day],
                "sensitive": 0,
                "coordination": 0,
                "details": dump(details),
                "closed_at": to_utc_text(closed_at) if closed_at else None,
            }
        )
        for type_, when, data in events:
            uid = uuid.UUID(int=rng.getrandbits(128)).hex
            # recorded as it happened: the real clock would make every event of ten years a
            # back-entry (补录) and, once the real date passes --end, keep the clocks projection
            # from answering (nothing may have happened after the moment asked)
            happened = recorded = to_utc_text(when)
            digest = chain_hash(
                prev, canonical_event(uid, item_id, type_, happened, recorded, "基准值班员", data)
            )
            event_rows.append(
                {
                    "uid": uid,
                    "item_id": item_id,
                    "type": type_,
                    "happened_at": happened,
                    "recorded_at": recorded,
                    "officer": "基准值班员",
                    "data": dump(data),
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
    # sqlite-utils' bulk insert on the store's own connection, inside its transaction
    bulk = Database(db, recursive_triggers=False, execute_plugins=False)
    with store.transaction():
        bulk["items"].insert_all(item_rows, batch_size=BATCH)
        bulk["events"].insert_all(event_rows, batch_size=BATCH)
        keep_clocks(Log.over(store))  # the clocks projection, as every write keeps it
        store.index_new_events()  # and the search index
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--open", type=int, default=50)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--end", default="2026-11-22T12:00:00+08:00")
    args = parser.parse_args()
    build(args.out, args.items, args.open, datetime.fromisoformat(args.end), years=args.years)
    print(f"{args.out}: {args.items} items, {args.open} open")


if __name__ == "__main__":
    main()
