#!/bin/sh
# Write yesterday's duty-day summary (值班日报) to a dated Markdown file.
# Run by cron just after midnight (see examples/crontab). Settings come from the environment:
#   YAOQING_DB          the office's log (default: yaoqing's own default location)
#   YAOQING_REPORT_DIR  where summaries go (default: $HOME/yaoqing-reports)
# yaoqing judges the day from the log as of the day's end, so a late or repeated run writes
# the same summary; the file appears whole or not at all (--output writes, then renames).
# Whatever fails, the cron log gets exactly one time-stamped line (yaoqing's own one-line error
# inside it), never a Python traceback, and the script exits non-zero.
set -u
dir="${YAOQING_REPORT_DIR:-$HOME/yaoqing-reports}"
log="${YAOQING_DB:-default}"

fail() {
    echo "$(date '+%F %T') yaoqing report failed: $*" >&2
    exit 1
}

# The day being reported: yesterday in the office's zone, as yaoqing computes it. Only a report
# that succeeded is read; if it failed, the run below fails too and says why.
day=""
if json=$(yaoqing report --format json 2>/dev/null); then
    day=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["period"]["since"][:10])' 2>/dev/null) || day=""
fi
if [ -z "$day" ]; then
    day=$(TZ=Asia/Shanghai date -d yesterday +%F 2>/dev/null || date +%F)
fi
mkdir -p "$dir" 2>/dev/null || fail "cannot create $dir (log: $log)"
file="$dir/值班日报-$day.md"
# yaoqing's error is one line on stderr; it goes into ours, so the cron log gets one line
if ! why=$(yaoqing report --date "$day" --format markdown --output "$file" 2>&1 >/dev/null); then
    fail "$day (log: $log): $(printf '%s' "${why:-yaoqing 未能运行}" | tr '\n' ' ')"
fi
echo "$(date '+%F %T') yaoqing report written: $file"
