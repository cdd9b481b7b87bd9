"""What time it is, for every command: the system clock, or YAOQING_NOW for drills and tests."""

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaoqing_cli.errors import UsageError

DEFAULT_TZ = "Asia/Shanghai"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        raise UsageError(f"未知时区：{name!r}；例如 Asia/Shanghai") from None


def span_text(delta: timedelta) -> str:
    """A duration as an officer says it: 1天3小时、2小时5分钟、45分钟 (sign ignored)."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    return f"{mins}分钟"


def system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The moment every command treats as now (aware). YAOQING_NOW overrides it (ISO 8601);
    a write honours it only on a drill log (session.check_write_clock)."""
    return simulated_now() or system_now()


def simulated_now() -> datetime | None:
    """YAOQING_NOW as an aware moment, or None when it is not set."""
    fixed = os.environ.get("YAOQING_NOW")
    if not fixed:
        return None
    try:
        moment = datetime.fromisoformat(fixed.strip())
    except ValueError:
        raise UsageError(
            f"环境变量 YAOQING_NOW 不是 ISO 8601 时间：{fixed!r}；例如 2026-11-22T08:00+08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(os.environ.get("YAOQING_TZ") or DEFAULT_TZ))
    if not 2000 <= moment.year <= 2100 or not 2000 <= moment.astimezone(UTC).year <= 2100:
        # the years every typed time is held to (timeparse): 9999 or 0001 would overflow
        raise UsageError(f"环境变量 YAOQING_NOW 的年份超出范围：{fixed!r}（2000–2100）")
    return moment


def check_environment() -> None:
    """Refuse at the start what would break every command later: an unknown YAOQING_TZ."""
    name = os.environ.get("YAOQING_TZ")
    if name:
        try:
            zone(name)
        except UsageError:
            raise UsageError(
                f"环境变量 YAOQING_TZ 不是已知时区：{name!r}；例如 Asia/Shanghai"
            ) from None


def to_utc_text(moment: datetime) -> str:
    """The stored form: UTC, second precision, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_utc_text(text: str) -> datetime:
    """The inverse of to_utc_text; strict about the form, and 20x faster than strptime."""
    if (
        len(text) != 20
        or text[4] != "-"
        or text[7] != "-"
        or text[10] != "T"
        or text[13] != ":"
        or text[16] != ":"
        or text[19] != "Z"
        or not text[:4].isdigit()
    ):
        raise ValueError(f"not a stored UTC time: {text!r}")
    return datetime.fromisoformat(text)  # "Z" reads as UTC (Python 3.11+)


def local_text(moment: datetime | None, tz: ZoneInfo) -> str:
    """YYYY-MM-DD HH:MM in the office's zone (isoformat: 1.6x faster than strftime)."""
    if moment is None:
        return ""
    return moment.astimezone(tz).isoformat(" ", "minutes")[:16]


def deadline_text(moment: datetime | None, tz: ZoneInfo, now: datetime | None = None) -> str:
    """A deadline as an office writes it by hand: one that falls on a day boundary (local 00:00,
    the end of the day before: a working-day clock, DOMAIN.md) is 10月29日24时, never "10-30
    00:00", which an officer reads as "due on the 30th"; any other is 10月29日 14:30. The year
    leads (2026年10月29日24时) unless `now` is given and the day shown is in `now`'s year.
    Seconds are not shown (minutes, as everywhere else). JSON keeps ISO 8601 (iso_local)."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    if local.hour == 0 and local.minute == 0:
        day, hour = local.date() - timedelta(days=1), "24时"
    else:
        day, hour = local.date(), f" {local.hour:02d}:{local.minute:02d}"
    year = "" if now is not None and now.astimezone(tz).year == day.year else f"{day.year}年"
    return f"{year}{day.month}月{day.day}日{hour}"


def iso_local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with offset in the office's zone, the form used in --json output."""
    if moment is None:
        return None
    return moment.astimezone(tz).isoformat(timespec="seconds")
