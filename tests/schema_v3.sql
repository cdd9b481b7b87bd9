-- The schema of a yaoqing log at version 3, as the SQL migrations m001-m003 made it before
-- they were expressed with sqlite-utils (kept to prove the new ones make the same schema).
-- m001_initial
CREATE TABLE office (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    short TEXT NOT NULL,
    policy TEXT NOT NULL,
    tz TEXT NOT NULL,
    officer TEXT,
    recorded_at TEXT NOT NULL
);
CREATE TABLE policy_snapshots (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE TABLE items (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,            -- local date of the first report, YYYYMMDD
    day_no INTEGER NOT NULL,      -- the office's sequence within that day
    year INTEGER NOT NULL,
    issue_no INTEGER NOT NULL,    -- 第N期 within the year
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT,                   -- level at filing; changes are events
    policy TEXT NOT NULL,
    policy_hash TEXT NOT NULL REFERENCES policy_snapshots(hash),
    occurred TEXT NOT NULL,
    received TEXT NOT NULL,
    filed TEXT NOT NULL,
    message_class TEXT,
    unit TEXT,
    category TEXT,
    sensitive INTEGER NOT NULL DEFAULT 0,
    coordination INTEGER NOT NULL DEFAULT 0,
    details TEXT NOT NULL DEFAULT '{}',
    closed_at TEXT,
    UNIQUE (day, day_no),
    UNIQUE (year, issue_no)
);
CREATE INDEX items_open ON items (filed) WHERE closed_at IS NULL;
CREATE INDEX items_filed ON items (filed);
CREATE INDEX items_closed ON items (closed_at);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    item_id TEXT NOT NULL REFERENCES items(id),
    type TEXT NOT NULL,
    happened_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    officer TEXT,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX events_item ON events (item_id, happened_at);
CREATE INDEX events_happened ON events (happened_at);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction instead'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction instead'); END;
CREATE TRIGGER office_append_only_update BEFORE UPDATE ON office
BEGIN SELECT RAISE(ABORT, 'office settings are append-only'); END;
CREATE TRIGGER office_append_only_delete BEFORE DELETE ON office
BEGIN SELECT RAISE(ABORT, 'office settings are append-only'); END;
CREATE TRIGGER snapshots_immutable_update BEFORE UPDATE ON policy_snapshots
BEGIN SELECT RAISE(ABORT, 'policy snapshots are immutable'); END;
CREATE TRIGGER snapshots_immutable_delete BEFORE DELETE ON policy_snapshots
BEGIN SELECT RAISE(ABORT, 'policy snapshots are immutable'); END;
CREATE TRIGGER items_no_delete BEFORE DELETE ON items
BEGIN SELECT RAISE(ABORT, 'items are never deleted'); END;
CREATE TRIGGER items_close_once BEFORE UPDATE ON items
WHEN OLD.closed_at IS NOT NULL
  OR NEW.closed_at IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.day IS NOT OLD.day OR NEW.day_no IS NOT OLD.day_no
  OR NEW.year IS NOT OLD.year OR NEW.issue_no IS NOT OLD.issue_no
  OR NEW.title IS NOT OLD.title OR NEW.kind IS NOT OLD.kind
  OR NEW.level IS NOT OLD.level OR NEW.policy IS NOT OLD.policy
  OR NEW.policy_hash IS NOT OLD.policy_hash OR NEW.occurred IS NOT OLD.occurred
  OR NEW.received IS NOT OLD.received OR NEW.filed IS NOT OLD.filed
  OR NEW.message_class IS NOT OLD.message_class OR NEW.unit IS NOT OLD.unit
  OR NEW.category IS NOT OLD.category OR NEW.sensitive IS NOT OLD.sensitive
  OR NEW.coordination IS NOT OLD.coordination OR NEW.details IS NOT OLD.details
BEGIN SELECT RAISE(ABORT, 'items change only by being closed, once'); END;
-- m002_clocks
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE clocks (
    item_id TEXT NOT NULL REFERENCES items(id),
    duty TEXT NOT NULL,
    deadline TEXT NOT NULL,       -- UTC, as every stored time
    level TEXT,                   -- the item's current level (who must be told)
    fallback INTEGER NOT NULL,    -- 1: the deadline rests on the Monday-Friday guess
    title TEXT NOT NULL,          -- copied from items (which never change) so the
    kind TEXT NOT NULL,           -- handover list is read from this table alone
    category TEXT,
    policy_hash TEXT NOT NULL,
    PRIMARY KEY (item_id, duty)
);
CREATE INDEX clocks_deadline ON clocks (deadline, item_id, duty);
DROP INDEX items_open;            -- unused since open items are found by closed_at
-- m003_office_events
ALTER TABLE office ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS calendar (
    event_uid TEXT NOT NULL,      -- the 'calendar' event that entered it
    year INTEGER NOT NULL,
    holidays TEXT NOT NULL,       -- JSON list of extra rest days, YYYY-MM-DD
    workdays TEXT NOT NULL,       -- JSON list of extra working days
    source TEXT NOT NULL,         -- the calendar file's name
    sha256 TEXT NOT NULL,         -- and the SHA-256 of its bytes
    PRIMARY KEY (event_uid, year)
);
CREATE TRIGGER IF NOT EXISTS calendar_append_only_update BEFORE UPDATE ON calendar
BEGIN SELECT RAISE(ABORT, 'calendar entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS calendar_append_only_delete BEFORE DELETE ON calendar
BEGIN SELECT RAISE(ABORT, 'calendar entries are append-only'); END;
