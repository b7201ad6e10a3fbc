# tests/sync/carrier.sh: sourced by the carrier tests (stick, cable) after integration/lib.sh and with $C
# set: the facts and contact files of a request, and checks on both ends.
cat >"$T/f.txt" <<X
request_date = 2026-05-20
birth_date = 1960-06-06
household = poor
X
printf 'deadline_working_days = 3\n' | cat "$T/f.txt" - >"$T/urgent.txt"
printf 'name = Thạch Thị Mẫu\ncommune_code = 90032\nconsent = yes\n' >"$T/c.txt"
# add DATA N [FACTS]: N sealed requests on that kiosk.
add() { for _ in $(seq "$2"); do "$SPEAN" --data-dir "$1" requests add --facts "${3:-$T/f.txt}" --contact "$T/c.txt" >/dev/null || exit 2; done; }
center_has() { run 0 "$CENTER" status --data-dir "$C"; grep -q "^requests $1\$" "$T/out" && pass || fail "center holds $(head -1 "$T/out"), want $1"; }
no_alerts() { run 0 "$CENTER" alerts --data-dir "$C"; [ ! -s "$T/out" ] && pass || fail "alerts: $(cat "$T/out")"; }
# status_is DATA HELD DELIVERED
status_is() { run 0 "$SPEAN" --data-dir "$1" requests status; out_is "$(printf 'held %s\ndelivered %s' "$2" "$3")"; }
