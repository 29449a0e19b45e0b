# SPDX-License-Identifier: GPL-2.0
#
# Sourced by mkseries.sh and mkqemuseries.sh: the last step of both.
#
# series_deliver NAME GEN OUT CHECK: with CHECK non-empty, fail unless
# OUT holds exactly the series generated into GEN; otherwise replace OUT
# with it.  NAME prefixes the messages.
series_deliver() {
	local name=$1 gen=$2 out=$3 check=$4

	if [ -n "$check" ]; then
		if ! diff -ru "$out" "$gen" >&2; then
			echo "$name: $out differs from the series generated from these sources" >&2
			exit 1
		fi
		echo "$name: $out matches the sources"
	else
		rm -rf "$out"
		mkdir -p "$out"
		cp "$gen"/*.patch "$out"/
		echo "$name: wrote $(ls "$out" | wc -l) files to $out"
	fi
}
