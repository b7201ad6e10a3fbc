#!/usr/bin/env bash
# The repository's top level holds only the project's own entries (the brief's fixed layout): what git
# tracks there, and what is on disk there (build dirs aside), so a stray log or a test's output at the
# root fails. tests/all.sh runs it again after every other test, to catch what the tests left behind.
#   tree_test.sh [ROOT]   (default: $SPEAN_SOURCE_DIR)
. "$(dirname "$0")/lib.sh"
root=${1:-${SPEAN_SOURCE_DIR:?}}

# own NAME: a top-level entry the project may have.
own() {
	case $1 in
	firmware | ui | sync | fonts | board | tests | CMakeLists.txt | README.md | debian | LICENSE) return 0 ;;
	.git | .ci | .gitignore | .gitattributes | .clang-format | .editorconfig | .dockerignore) return 0 ;;
	*) return 1 ;;
	esac
}
# on_disk NAME: also allowed on disk but never tracked: build directories (.gitignore's build*/).
on_disk() { case $1 in build*) [ -d "$root/$1" ] && [ ! -L "$root/$1" ] ;; *) return 1 ;; esac; }

n=0
if [ -e "$root/.git" ] && command -v git >/dev/null; then
	while IFS= read -r e; do
		n=$((n + 1))
		own "$e" && pass || fail "tracked at the top level, not the project's own: $e"
	done < <(git -C "$root" ls-files | cut -d/ -f1 | sort -u)
fi
while IFS= read -r e; do
	n=$((n + 1))
	{ own "$e" || on_disk "$e"; } && pass || fail "on disk at the top level, not the project's own: $e"
done < <(ls -A "$root")
[ "$n" -ge 8 ] && pass || fail "only $n top-level entries seen in $root: wrong directory?"

# The README: the two commands first, and whole (a scripted edit once repeated a paragraph 98,150 times).
readme=$root/README.md
if [ -f "$readme" ]; then
	size=$(stat -c %s "$readme")
	[ "$size" -lt 262144 ] && pass || fail "README.md is $size bytes (a doubled edit?)"
	head -8 "$readme" | grep -q '^bash firmware/demo.sh ' && head -8 "$readme" | grep -q '^bash tests/all.sh ' &&
		pass || fail "README.md does not start with the two commands"
	dup=$(awk 'BEGIN { RS = "" } length($0) > 200 { if (seen[$0]++ == 1) n++ } END { print n + 0 }' "$readme")
	[ "$dup" = 0 ] && pass || fail "README.md repeats $dup paragraph(s)"
fi

# The check itself (on the real run only): a planted stray file and a planted log are caught, a build dir is not.
[ $# = 0 ] || { done_tests; exit; }
mkdir -p "$T/fake/firmware" "$T/fake/build-x"
touch "$T/fake/CMakeLists.txt" "$T/fake/echo.1" "$T/fake/build-test.configure.log"
out=$(bash "$0" "$T/fake" 2>&1)
case $out in *"echo.1"*"build-test.configure.log"* | *"build-test.configure.log"*"echo.1"*) pass ;;
*) fail "the check missed planted strays: $out" ;; esac
case $out in *build-x*) fail "a build dir was called a stray" ;; *) pass ;; esac
done_tests
