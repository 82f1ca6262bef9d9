#!/usr/bin/env bash
# Prints the true totals of an XCTest run (`swift test` output) as one line:
#     N passed, N failed, N skipped
# Usage: scripts/xctest-totals.sh LOG     (or - / no argument for standard input)
#        scripts/xctest-totals.sh --self-test
#
# The totals come from the closing summary of the whole run, the line after
# "Test Suite 'All tests' passed|failed" ('Selected tests' with --filter), in either form XCTest prints:
#     Executed 335 tests, with 0 failures (0 unexpected) in ...
#     Executed 335 tests, with 3 tests skipped and 2 failures (0 unexpected) in ...
# (singular "1 test", "1 failure" too). XCTest's "failures" counts failed assertions, not tests, so the
# failed count is the number of "Test Case '...' failed (" lines when the log has them (at least 1 when
# the summary reports failures); passed = executed - failed - skipped.
# Exit status: 0 with the totals line; 1 when the log has no whole-run summary (for example when a test
# crashed the process), with a message on standard error.
set -euo pipefail

totals() {
  local log summary executed skipped failures failed_cases failed
  log=$(cat)
  summary=$(printf '%s\n' "$log" \
    | awk '/^Test Suite '"'"'(All tests|Selected tests)'"'"' (passed|failed) at / { getline; last = $0 } END { print last }')
  local pattern='Executed ([0-9]+) tests?, with (([0-9]+) tests? skipped and )?([0-9]+) failures? \(([0-9]+) unexpected\)'
  if [[ ! "$summary" =~ $pattern ]]; then
    echo "no XCTest summary for the whole run (no \"Executed N tests\" line after \"Test Suite 'All tests' passed|failed\")" >&2
    return 1
  fi
  executed=${BASH_REMATCH[1]}
  skipped=${BASH_REMATCH[3]:-0}
  failures=${BASH_REMATCH[4]}
  failed_cases=$(printf '%s\n' "$log" | grep -cE "^Test Case '.*' failed \(" || true)
  failed=$failed_cases
  if [ "$failures" -gt 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$failures" -eq 0 ]; then failed=0; fi
  echo "$((executed - failed - skipped)) passed, $failed failed, $skipped skipped"
}

self_test() {
  local status=0
  check() {  # check NAME EXPECTED LOG
    local got
    got=$(printf '%b' "$3" | totals 2>/dev/null) || got="<no summary>"
    if [ "$got" = "$2" ]; then echo "ok   $1: $got"; else echo "FAIL $1: expected '$2', got '$got'"; status=1; fi
  }
  local all="Test Suite 'All tests'"
  check "plain form" "335 passed, 0 failed, 0 skipped" \
    "$all started at 2026-01-01\n\t Executed 335 tests, with 0 failures (0 unexpected) in 60.1 (60.1) seconds\n$all passed at 2026-01-01 00:01:00.000\n\t Executed 335 tests, with 0 failures (0 unexpected) in 60.1 (60.1) seconds\n"
  check "skipped form (the form the old regex missed)" "332 passed, 0 failed, 3 skipped" \
    "$all passed at 2026-01-01 00:01:00.000\n\t Executed 335 tests, with 3 tests skipped and 0 failures (0 unexpected) in 60.1 (60.1) seconds\n"
  check "singular forms" "0 passed, 0 failed, 1 skipped" \
    "Test Suite 'Selected tests' passed at 2026-01-01 00:01:00.000\n\t Executed 1 test, with 1 test skipped and 0 failures (0 unexpected) in 0.0 (0.0) seconds\n"
  check "failures count assertions, not tests" "1 passed, 1 failed, 1 skipped" \
    "Test Case 'T.testA' passed (0.001 seconds)\nTest Case 'T.testB' skipped (0.0 seconds)\nTest Case 'T.testC' failed (0.0 seconds)\n\t Executed 3 tests, with 1 test skipped and 2 failures (0 unexpected) in 0.001 (0.001) seconds\n$all failed at 2026-01-01 00:01:00.000\n\t Executed 3 tests, with 1 test skipped and 2 failures (0 unexpected) in 0.001 (0.001) seconds\n"
  check "whole-run summary wins over suite summaries" "9 passed, 1 failed, 0 skipped" \
    "Test Suite 'A' passed at x\n\t Executed 4 tests, with 0 failures (0 unexpected) in 1 (1) seconds\nTest Case 'B.testX' failed (0.1 seconds)\nTest Suite 'B' failed at x\n\t Executed 6 tests, with 1 failure (0 unexpected) in 1 (1) seconds\n$all failed at x\n\t Executed 10 tests, with 1 failure (0 unexpected) in 2 (2) seconds\n"
  check "crash before the summary" "<no summary>" \
    "Test Suite 'A' passed at x\n\t Executed 4 tests, with 0 failures (0 unexpected) in 1 (1) seconds\nTest Case 'B.testX' started at x\nerror: Exited with unexpected signal code 4\n"
  check "empty log" "<no summary>" ""
  check "Swift Testing footer only" "<no summary>" "✔ Test run with 0 tests in 0 suites passed after 0.001 seconds.\n"
  return $status
}

case "${1:-}" in
  --self-test) self_test ;;
  ""|-) totals ;;
  *) totals < "$1" ;;
esac
