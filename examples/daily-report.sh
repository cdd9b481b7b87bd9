#!/bin/sh
# Write yesterday's duty-day summary (值班日报) to a dated Markdown file.
# Run by cron just after midnight (see examples/crontab). Settings come from the environment:
#   YAOQING_DB          the office's log (default: yaoqing's own default location)
#   YAOQING_REPORT_DIR  where summaries go (default: $HOME/yaoqing-reports)
# yaoqing judges the day from the log as of the day's end, so a late or repeated run writes
# the same summary; the file appears whole or not at all (--output writes, then renames).
set -u
dir="${YAOQING_REPORT_DIR:-$HOME/yaoqing-reports}"
# The day being reported: yesterday in the office's zone, as yaoqing computes it.
day=$(yaoqing report --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["period"]["since"][:10])') || day=""
if [ -z "$day" ]; then
    day=$(TZ=Asia/Shanghai date -d yesterday +%F 2>/dev/null || date +%F)
fi
mkdir -p "$dir" || { echo "$(date '+%F %T') yaoqing report failed: cannot create $dir" >&2; exit 1; }
if ! yaoqing report --date "$day" --format markdown --output "$dir/值班日报-$day.md" >/dev/null; then
    echo "$(date '+%F %T') yaoqing report failed for $day (log: ${YAOQING_DB:-default})" >&2
    exit 1
fi
echo "$(date '+%F %T') yaoqing report written: $dir/值班日报-$day.md"
