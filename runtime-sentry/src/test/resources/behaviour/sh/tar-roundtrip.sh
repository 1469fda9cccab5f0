# Archives a tree with tar c and unpacks it with tar x into /tmp; both trees must match.
set -e
umask 022
base=${TMPDIR:-/tmp}/tar-roundtrip
mkdir -p "$base/src/a/b" "$base/dst"
echo alpha > "$base/src/a/one"
seq 1 2000 > "$base/src/a/b/numbers"
ln -s ../one "$base/src/a/b/link"
chmod 640 "$base/src/a/one"
tar c -C "$base" src > "$base/src.tar"
tar x -C "$base/dst" < "$base/src.tar"
cd "$base/dst"
find src | sort
diff -r "$base/src" "$base/dst/src" && echo "trees match"
readlink src/a/b/link
stat -c '%a %s %n' src/a/one src/a/b/numbers
tar t < "$base/src.tar" | sort | head -n 3
cd /
rm -r "$base"
