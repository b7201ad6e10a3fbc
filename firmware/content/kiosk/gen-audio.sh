#!/usr/bin/env bash
# gen-audio.sh CONTENT_DIR OUT_DIR: speak every key of CONTENT_DIR/audio.keys from strings.vi with
# espeak-ng's Southern Vietnamese voice into OUT_DIR/vi/KEY.wav (run by the build).
set -euo pipefail
content=$1
out=$2/vi
mkdir -p "$out"
command -v espeak-ng >/dev/null || { echo "gen-audio: espeak-ng is missing (board/deps.sh installs it)" >&2; exit 1; }
while read -r key; do
	case $key in '' | '#'*) continue ;; esac
	text=$(sed -n "s/^$(printf '%s' "$key" | sed 's/\./\\./g') = //p" "$content/strings.vi")
	if [ -z "$text" ]; then
		echo "gen-audio: strings.vi has no '$key'" >&2
		exit 1
	fi
	# Placeholders are not spoken.
	text=$(printf '%s' "$text" | sed 's/{[a-z]*}//g')
	espeak-ng -v vi-vn-x-south -s 140 -w "$out/$key.wav.tmp" "$text"
	mv "$out/$key.wav.tmp" "$out/$key.wav"
done <"$content/audio.keys"
