#!/bin/sh
# ui/input/tests/generated_fresh.sh DIR: re-run the generators against the installed m17n-db and
# xkb-data and compare with the committed km_layout.c and tests/vi_vectors.tsv. Exit 77 (skip) without python3.
set -u
dir=$1
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rc=0
python3 "$dir/gen_km_layout.py" >"$tmp/km_layout.c" || rc=1
python3 "$dir/gen_vi_vectors.py" >"$tmp/vi_vectors.tsv" || rc=1
if ! cmp -s "$tmp/km_layout.c" "$dir/km_layout.c"; then
	echo "km_layout.c differs from what gen_km_layout.py makes of the installed xkb-data:"
	diff -u "$dir/km_layout.c" "$tmp/km_layout.c" | head -40
	rc=1
fi
if ! cmp -s "$tmp/vi_vectors.tsv" "$dir/tests/vi_vectors.tsv"; then
	echo "tests/vi_vectors.tsv differs from what gen_vi_vectors.py makes of the installed m17n-db:"
	diff -u "$dir/tests/vi_vectors.tsv" "$tmp/vi_vectors.tsv" | head -40
	rc=1
fi
[ $rc = 0 ] && echo "generated files match the installed data"
exit $rc
