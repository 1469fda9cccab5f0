# Pipes, redirections of every direction, here-documents and command substitution.
set -e
dir=${TMPDIR:-/tmp}/redirections
mkdir "$dir"
cd "$dir"
echo one > f
echo two >> f
cat < f
echo to-stderr >&2
cat f | tr a-z A-Z | sed 's/O/0/g'
{ echo a; echo b; echo c; } > g
wc -l < g
ls missing-file 2>/dev/null || echo "ls of a missing file failed: $?"
exec 3> h
echo through-fd-3 >&3
exec 3>&-
cat h
cat <<END
here-document with arithmetic $((6 * 7)) and substitution $(echo nested | tr a-z A-Z)
END
printf '%s\n' c b a | sort | tr '\n' ' '
echo
echo "$(cat f | wc -l) lines, $(wc -c < f) bytes"
cat missing-file 2>&1 >/dev/null | sed 's/^.*: //'
cd /
rm -r "$dir"
echo done
