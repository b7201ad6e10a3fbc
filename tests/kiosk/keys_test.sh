#!/usr/bin/env bash
# spean kiosk --keys, the real kiosk headless (SDL offscreen): each shot lists the catalog keys of the
# screen it captured and none of an earlier or later screen (the key actually used: KEY.you when the
# resident answers for themselves, a template's key for filled text, both catalogs where a screen shows
# both languages); every key listed is in strings.km; a second run appends; a directory, a symbolic
# link or a FIFO as FILE is refused with a message, and nothing is written through the link.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_TODAY=2026-05-20 SPEAN_IDLE=60,20,45
export SPEAN_CONTENT_DIR="$SPEAN_SOURCE_DIR/firmware/content/kiosk" SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
K="$T/kiosk"
"$CENTER" init --data-dir "$T/center" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$T/center/center.pub" >/dev/null || exit 2
mkdir -p "$T/shots"
keys="$T/keys.tsv" tab=$'\t'
# has SHOT KEY / lacks SHOT KEY: the line "SHOT<TAB>KEY" is (is not) in the file.
has() { if grep -qxF "$1$tab$2" "$keys"; then pass; else fail "$1 does not list $2: $(grep -F "$1$tab" "$keys" | cut -f2 | tr '\n' ' ')"; fi; }
lacks() { if grep -qxF "$1$tab$2" "$keys"; then fail "$1 lists $2, a key of another screen"; else pass; fi; }

# The Khmer journey to a receipt (who: the resident themself).
run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$here/km_staff_review.replay" --shots "$T/shots" --keys "$keys"
for k in consent.title consent.body consent.question consent.agree consent.decline nav.back lang.vi; do
	has 21-consent-km "$k"
done
# Not the language screen before it, nor the screens after it.
for k in lang.title lang.km who.title q.specific_matter q.specific_matter.you answer.yes; do
	lacks 21-consent-km "$k"
done
has 22-who-km who.title
has 22-who-km who.self
lacks 22-who-km consent.body
# Answering for themselves: the question's ".you" text is the one drawn, not the other.
has 23-question-yesno-km q.specific_matter.you
lacks 23-question-yesno-km q.specific_matter
has 23-question-yesno-km answer.yes
lacks 23-question-yesno-km who.title
# The date screen: the question, its fields and the order they stand in.
has 24-question-date-km q.birth_date.you
has 24-question-date-km q.birth_date.order
has 24-question-date-km date.year
lacks 24-question-date-km q.household.you
# A template filled in ({groups}): its key.
has 27-outcome-review-km outcome.staff_review.title
has 27-outcome-review-km outcome.staff_review.body.you
# Every line is "SHOT<TAB>KEY", every shot of the script has lines, every key is one of strings.km.
bad=$(grep -cvP '^[^\t]+\t[^\t]+$' "$keys")
[ "$bad" = 0 ] && pass || fail "$bad lines of keys.tsv are not SHOT<TAB>KEY"
for s in $(sed -n 's/^shot //p' "$here/km_staff_review.replay"); do
	grep -q "^$s$tab" "$keys" && pass || fail "shot $s lists no key"
	head -c 8 "$T/shots/$s.png" 2>/dev/null | grep -q PNG && pass || fail "screenshot $s"
done
missing=$(cut -f2 "$keys" | sort -u | while read -r k; do grep -q "^$k = " "$SPEAN_CONTENT_DIR/strings.km" || echo "$k"; done)
[ -z "$missing" ] && pass || fail "keys not in strings.km: $missing"
n=$(wc -l <"$keys")
[ "$n" -gt 50 ] && pass || fail "only $n lines for the whole journey"

# A second run appends; the first screen (built before the replay starts) is listed too.
cp "$keys" "$T/keys.first"
printf 'shot 01-attract\ntap start\ntap lang_km\ntap consent_no\nshot 41-declined-km\n' >"$T/short.replay"
run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/short.replay" --shots "$T/shots" --keys "$keys"
[ "$(head -n "$n" "$keys")" = "$(cat "$T/keys.first")" ] && [ "$(wc -l <"$keys")" -gt "$n" ] && pass ||
	fail "the second run did not append after the first run's lines"
for k in attract.title attract.body attract.touch lang.vi lang.km assisted.staff; do
	has 01-attract "$k"
done
# Filled with the center's phone ({phone}); the consent screen before it is not listed.
has 41-declined-km declined.body
has 41-declined-km declined.title
lacks 41-declined-km consent.body
lacks 41-declined-km attract.title

# Without --keys the kiosk runs as before.
run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/short.replay" --shots "$T/shots"

# A FILE that cannot be appended to safely is refused at start with a message (exit 2, as a bad option).
mkdir -p "$T/adir"
run 2 "$SPEAN" --data-dir "$K" kiosk --replay "$T/short.replay" --keys "$T/adir"
err_has "--keys $T/adir: cannot open for appending (Is a directory)"
echo precious >"$T/target"
ln -s "$T/target" "$T/link"
run 2 "$SPEAN" --data-dir "$K" kiosk --replay "$T/short.replay" --keys "$T/link"
err_has "--keys $T/link: cannot open for appending (a symbolic link: refused)"
[ "$(cat "$T/target")" = precious ] && pass || fail "written through the link"
ln -s "$T/nowhere" "$T/dangling"
run 2 "$SPEAN" --data-dir "$K" kiosk --replay "$T/short.replay" --keys "$T/dangling"
[ ! -e "$T/nowhere" ] && pass || fail "a dangling link's target was created"
mkfifo "$T/fifo"
# (a FIFO with a reader opens; it is refused for not being a regular file)
sleep 5 <>"$T/fifo" &
rd=$!
run 2 "$SPEAN" --data-dir "$K" kiosk --replay "$T/short.replay" --keys "$T/fifo"
err_has "--keys $T/fifo: not a regular file"
kill "$rd" 2>/dev/null
wait "$rd" 2>/dev/null
run 2 "$SPEAN" --data-dir "$K" kiosk --keys "$T/no/such/dir/keys.tsv"
err_has "cannot open for appending (No such file or directory)"
run 2 "$SPEAN" --data-dir "$K" kiosk --keys
err_has "--keys needs a value"
done_tests
