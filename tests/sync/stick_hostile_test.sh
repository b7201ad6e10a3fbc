#!/usr/bin/env bash
# A USB stick prepared by someone else (issue 11.1): links planted under the old temporary names and
# under the final names (to the center's database, a kiosk's database and a file outside), symlinked
# spean/, in/ and out/, FIFOs and device nodes in every role, names Spean never writes, and files
# changing while they are read. For the center (import) and the kiosk (export, import) both: every
# command ends (a hang is a failure), says what it refused, changes no file outside the stick, the
# databases pass 'check', and every genuine bundle beside the hostile ones still goes through.
. "$(dirname "$0")/../integration/lib.sh"
C="$T/center" K1="$T/k1" K2="$T/k2" S="$T/stick"
. "$(dirname "$0")/carrier.sh"
bg=()
trap 'for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

# t CMD...: under a deadline, so that blocking on a FIFO fails the test instead of hanging it.
t() { timeout -k 5 30 "$@"; }

"$CENTER" init --data-dir "$C" >/dev/null || exit 2
for k in "$K1" "$K2"; do
	"$SPEAN" --data-dir "$k" provision --center-key "$C/center.pub" >/dev/null || exit 2
	"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$k" identity)" >/dev/null || exit 2
done
"$CENTER" pack --data-dir "$C" --version 2 >/dev/null || exit 2 # so that import also writes a content pack
D1=$("$SPEAN" --data-dir "$K1" identity | cut -c1-16)
D2=$("$SPEAN" --data-dir "$K2" identity | cut -c1-16)
# A first round trip: both kiosks deliver and install the content pack, so later rounds change no data dir.
add "$K1" 3 && add "$K2" 2
mkdir -p "$S"
for k in "$K1" "$K2"; do "$SPEAN" --data-dir "$k" sync --export "$S" >/dev/null || exit 2; done
"$CENTER" import --data-dir "$C" "$S" >/dev/null || exit 2
for k in "$K1" "$K2"; do "$SPEAN" --data-dir "$k" sync --import "$S" >/dev/null || exit 2; done
N=5 DEL1=3 # requests at the center, delivered by K1
add "$K1" 2
echo precious >"$T/outside.txt"
cp "$T/outside.txt" "$T/outside.orig"
mkdir -p "$T/elsewhere"

# The center's and the kiosks' data dirs as they are now (names, and the keys' contents), to see
# that nothing was written into them. (Databases change by design: 'check' vouches for those.)
listing() { (cd "$1" && find . -not -name '*-wal' -not -name '*-shm' -not -name '*-journal' | sort); }
snap() { for d in "$C" "$K1" "$K2"; do listing "$d"; md5sum "$d"/*.pub "$d"/*.key; done >"$T/snap.$1"; }
# intact WHAT: nothing outside the stick changed, both kinds of database pass their full check.
intact() {
	cmp -s "$T/outside.txt" "$T/outside.orig" && pass || fail "$1: a file outside the stick changed"
	snap after
	cmp -s "$T/snap.before" "$T/snap.after" && pass || fail "$1: a data dir changed: $(diff "$T/snap.before" "$T/snap.after" | head -5)"
	run 0 t "$CENTER" check --data-dir "$C"
	run 0 t "$SPEAN" --data-dir "$K1" check
	run 0 t "$SPEAN" --data-dir "$K2" check
}
# fresh: an empty stick with K1's genuine bundle (what it holds) on it.
fresh() {
	rm -rf "$S" && mkdir -p "$S"
	run 0 t "$SPEAN" --data-dir "$K1" sync --export "$S"
	OFFER=$(cd "$S/spean/out" && ls "$D1"-*.offer)
	STEM=${OFFER%.offer}
}
# genuine_through WHAT: K1's bundle was answered (its receipts are a regular file) and the center holds it.
genuine_through() {
	[ -f "$S/spean/in/$STEM.receipts" ] && [ ! -L "$S/spean/in/$STEM.receipts" ] && pass ||
		fail "$1: the genuine bundle beside the hostile one got no receipts"
	center_has "$N"
}
snap before

# --- 1. Links planted under the old temporary names and under the final names.
fresh
ln -s "$C/center.db" "$S/spean/in/$STEM.receipts.tmp"
ln -s "$K1/spean.db" "$S/spean/in/content.pack.tmp"
ln -s "$T/outside.txt" "$S/spean/in/$STEM.receipts"
ln -s "$C/center.db" "$S/spean/in/content.pack"
ln -s "$K2/spean.db" "$S/spean/out/$OFFER.tmp"
run 0 t "$CENTER" import --data-dir "$C" "$S"
N=$((N + 2))
genuine_through "links at temp and final names"
[ -f "$S/spean/in/content.pack" ] && [ ! -L "$S/spean/in/content.pack" ] && pass || fail "content pack not written as a file"
intact "center import with planted links"
# The kiosk's export: links at its bundle's final and old temporary names, to its own database.
rm -f "$S/spean/out/$OFFER"
ln -s "$K1/spean.db" "$S/spean/out/$OFFER"
ln -s "$K1/spean.db" "$S/spean/out/$D1-1-999.offer"
ln -sf "$K1/spean.db" "$S/spean/out/$OFFER.tmp"
run 0 t "$SPEAN" --data-dir "$K1" sync --export "$S"
[ -f "$S/spean/out/$OFFER" ] && [ ! -L "$S/spean/out/$OFFER" ] && pass || fail "export wrote through a link"
intact "kiosk export with planted links"
# The kiosk's import: receipts and content pack as links are refused, not read.
run 0 t "$CENTER" import --data-dir "$C" "$S"
mv "$S/spean/in/$STEM.receipts" "$T/good.receipts"
ln -s "$T/good.receipts" "$S/spean/in/$STEM.receipts"
rm -f "$S/spean/in/content.pack" && ln -s "$K1/spean.db" "$S/spean/in/content.pack"
run 2 t "$SPEAN" --data-dir "$K1" sync --import "$S"
err_has "$STEM.receipts refused: spean/in/$STEM.receipts is a link, not a file"
err_has "content.pack refused: spean/in/content.pack is a link"
status_is "$K1" 2 "$DEL1"
rm "$S/spean/in/$STEM.receipts" && mv "$T/good.receipts" "$S/spean/in/$STEM.receipts"
rm "$S/spean/in/content.pack"
run 0 t "$SPEAN" --data-dir "$K1" sync --import "$S"
DEL1=$((DEL1 + 2))
status_is "$K1" 0 "$DEL1"
intact "kiosk import with links"
add "$K1" 1 # something held for the cases below

# --- 2. spean/, in/ and out/ as links to directories (to the center's and the kiosk's data dirs).
fresh
mv "$S/spean" "$T/elsewhere/spean" && ln -s "$T/elsewhere/spean" "$S/spean"
run 2 t "$CENTER" import --data-dir "$C" "$S"
err_has "spean/ is a link, not a directory: refused"
run 2 t "$SPEAN" --data-dir "$K1" sync --import "$S"
err_has "spean/ is a link, not a directory"
run 2 t "$SPEAN" --data-dir "$K1" sync --export "$S"
err_has "spean/ is a link, not a directory"
[ -z "$(ls "$T/elsewhere/spean/in")" ] && pass || fail "something written through the spean/ link"
rm "$S/spean" && mv "$T/elsewhere/spean" "$S/spean"
rm -rf "$S/spean/in" && ln -s "$C" "$S/spean/in"
run 2 t "$CENTER" import --data-dir "$C" "$S"
err_has "spean/in/ is a link, not a directory: refused"
run 2 t "$SPEAN" --data-dir "$K1" sync --export "$S"
err_has "spean/in/ is a link"
rm "$S/spean/in" && mkdir "$S/spean/in"
mv "$S/spean/out" "$T/elsewhere/out" && ln -s "$T/elsewhere/out" "$S/spean/out"
run 2 t "$CENTER" import --data-dir "$C" "$S"
err_has "spean/out/ is a link, not a directory: refused"
rm "$S/spean/out" && ln -s "$K1" "$S/spean/out"
run 2 t "$SPEAN" --data-dir "$K1" sync --export "$S"
err_has "spean/out/ is a link, not a directory"
center_has "$N"
intact "symlinked directories"

# --- 3. FIFOs and device nodes in every role; each refused without blocking.
for kind in fifo device; do
	if [ $kind = device ] && ! mknod "$T/devtest" c 1 5 2>/dev/null; then
		echo "NOTE: cannot make device nodes here (not root): device roles not exercised" >&2
		continue
	fi
	rm -f "$T/devtest"
	# plant PATH: a FIFO, or a device node (/dev/zero's numbers: endless if it were ever read)
	plant() { if [ $kind = fifo ]; then mkfifo "$1"; else mknod "$1" c 1 5; fi; }
	what=$([ $kind = fifo ] && echo "a FIFO" || echo "a device")
	for role in spean spean/in spean/out; do
		fresh
		rm -rf "${S:?}/$role" && plant "$S/$role"
		run 2 t "$CENTER" import --data-dir "$C" "$S"
		err_has "$role/ is $what, not a directory: refused"
		run 2 t "$SPEAN" --data-dir "$K1" sync --import "$S"
		err_has "is $what, not a directory"
		run 2 t "$SPEAN" --data-dir "$K1" sync --export "$S"
		err_has "is $what, not a directory"
	done
	# As another kiosk's bundle beside the genuine one: refused, the genuine one imported.
	fresh
	plant "$S/spean/out/$D2-1-2.offer"
	run 2 t "$CENTER" import --data-dir "$C" "$S"
	err_has "$D2-1-2.offer refused: spean/out/$D2-1-2.offer is $what, not a file: refused"
	N=$((N + 1))
	genuine_through "$kind as a bundle"
	# As a receipts file and as the content pack, beside genuine receipts.
	plant "$S/spean/in/$D1-7-8.receipts"
	rm -f "$S/spean/in/content.pack" && plant "$S/spean/in/content.pack"
	run 2 t "$SPEAN" --data-dir "$K1" sync --import "$S"
	err_has "$D1-7-8.receipts refused: spean/in/$D1-7-8.receipts is $what"
	err_has "content.pack refused: spean/in/content.pack is $what"
	out_has "1 delivered, 0 held"
	DEL1=$((DEL1 + 1))
	status_is "$K1" 0 "$DEL1"
	add "$K1" 1
	intact "$kind in every role"
done

# --- 4. Names Spean never writes: too long for a receipts name, a terminal escape.
fresh
long="$D2-$(printf '1%.0s' $(seq 100))-2.offer"
cp "$S/spean/out/$OFFER" "$S/spean/out/$long"
cp "$S/spean/out/$OFFER" "$S/spean/out/$(printf 'x\033]0;owned\007.offer')"
run 2 t "$CENTER" import --data-dir "$C" "$S"
err_has "not a name Spean writes"
err_has 'x\x1b]0;owned\x07.offer'
grep -q "$(printf '\033')" "$T/err" && fail "a terminal escape from a file name reached the terminal" || pass
[ "$(ls "$S/spean/in" | grep -c receipts)" = 1 ] && pass || fail "receipts for names Spean never writes (or a cut name): $(ls "$S/spean/in")"
N=$((N + 1))
genuine_through "odd names"
run 0 t "$SPEAN" --data-dir "$K1" sync --import "$S"
intact "odd names"

# --- 5. Files that change while they are read: a bundle and a receipts file rewritten in a loop.
add "$K2" 300
rm -rf "$S" && mkdir -p "$S"
run 0 t "$SPEAN" --data-dir "$K2" sync --export "$S"
big=$(ls "$S/spean/out/")
cp "$S/spean/out/$big" "$T/big.offer"
(while :; do cat "$T/big.offer" >"$S/spean/out/$big.new"; mv "$S/spean/out/$big.new" "$S/spean/out/$big" 2>/dev/null
	truncate -s 5000 "$S/spean/out/$big" 2>/dev/null; done) &
bg+=($!)
hung=0
for _ in $(seq 10); do
	t "$CENTER" import --data-dir "$C" "$S" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 124 ] && hung=1
	[ $rc = 0 ] || [ $rc = 2 ] || { fail "import under a changing file: exit $rc"; cat "$T/err" >&2; }
done
kill "${bg[@]}" 2>/dev/null; wait 2>/dev/null; bg=()
[ $hung = 0 ] && pass || fail "import hung on a changing file"
cp "$T/big.offer" "$S/spean/out/$big"
run 0 t "$CENTER" import --data-dir "$C" "$S"
N=$((N + 300))
center_has "$N" # every genuine request exactly once, whatever the changing file did
rec="$S/spean/in/${big%.offer}.receipts"
cp "$rec" "$T/big.receipts"
(while :; do truncate -s 100 "$rec"; cat "$T/big.receipts" >"$rec"; done) &
bg+=($!)
for _ in $(seq 5); do
	t "$SPEAN" --data-dir "$K2" sync --import "$S" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 0 ] || [ $rc = 2 ] || { fail "kiosk import under a changing file: exit $rc"; cat "$T/err" >&2; }
	grep -q "delivered, 0 held" "$T/out" && break
done
kill "${bg[@]}" 2>/dev/null; wait 2>/dev/null; bg=()
[ -e "$rec" ] && cp "$T/big.receipts" "$rec"
t "$SPEAN" --data-dir "$K2" sync --import "$S" >/dev/null 2>&1
status_is "$K2" 0 302
run 0 t "$CENTER" check --data-dir "$C"
run 0 t "$SPEAN" --data-dir "$K2" check
cmp -s "$T/outside.txt" "$T/outside.orig" && pass || fail "a file outside the stick changed"
done_tests
