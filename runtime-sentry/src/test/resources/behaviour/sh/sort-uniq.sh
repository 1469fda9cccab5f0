# A pipeline of four processes moving ~50 KB.
seq 1 10000 | sort -rn | uniq | wc -l
seq 1 10000 | sort -rn | head -n 3
seq 1 100 | awk '{ s += $1 } END { print s }'
seq 1 1000 | sed 's/$/ x/' | sort | uniq -c | wc -l
