"""Hand-made exports for import tests: edit a record, then re-hash the file's chain so that only
the rules (not the hashes) stand between the edit and the log."""

import hashlib
import json
from pathlib import Path

from yaoqing_cli.store import GENESIS_HASH, canonical_event, chain_hash


def read_export(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line]


def rechain(records: list[dict]) -> list[dict]:
    """Recompute seq, prev_hash and hash of every event (a forger's work), then the head."""
    prev, seq = GENESIS_HASH, 0
    for record in records:
        if record["record"] != "event":
            continue
        seq += 1
        canonical = canonical_event(
            record["uid"],
            record["item_id"],
            record["type"],
            record["happened_at"],
            record["recorded_at"],
            record["officer"],
            record["data"],
        )
        record.update(seq=seq, prev_hash=prev, hash=chain_hash(prev, canonical))
        prev = record["hash"]
    for record in records:
        if record["record"] == "header":
            record["head"] = {"events": seq, "hash": prev}
    before, covered = [], {}
    for number, record in enumerate(records, 1):
        if record["record"] == "head":
            record.update(events=seq, hash=prev, digest=_digest(before), lines=covered)
        elif record["record"] != "event" or record.get("masked"):
            covered[str(number)] = _digest([_line(record)])
        before.append(_line(record))
    return records


def _line(record: dict) -> str:  # as `yaoqing export` writes a line (README, export)
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def write_export(path: Path, records: list[dict]) -> Path:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    Path(path).write_text(text, "utf-8")
    return Path(path)
