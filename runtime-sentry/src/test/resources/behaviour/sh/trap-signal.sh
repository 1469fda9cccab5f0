# A trap runs when the shell signals itself; the shell carries on afterwards.
trap 'echo got USR1' USR1
kill -USR1 $$
echo "after the first signal"
kill -USR1 $$
trap - USR1
trap 'echo exit trap' EXIT
echo "traps done"
