#!/bin/sh
# Bench wrapper: runs the agent CLI given as its arguments (stdin, stdout and stderr passed through) and
# appends the CLI process's start and end times (epoch ms) to $BENCH_CLI_TIMES, so the bench can tell the
# CLI's own time from what the product adds around it. A shell starts in about a millisecond.
start=$(date +%s%3N)
"$@"
rc=$?
[ -n "$BENCH_CLI_TIMES" ] && echo "$start $(date +%s%3N)" >> "$BENCH_CLI_TIMES"
exit $rc
