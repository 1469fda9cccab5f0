# Subshells keep their own state; background jobs run concurrently and wait collects them.
x=1
(x=2; echo "in subshell x=$x")
echo "after subshell x=$x"
(exit 3)
echo "subshell exit status $?"
( sleep 0.3; echo late ) &
echo early
wait
echo "after wait"
(exit 5) &
pid=$!
wait $pid
echo "wait for a job that exited 5: $?"
for i in 1 2 3; do (echo "job $i"; exit $i) & done > /dev/null
wait
echo "three jobs done"
sh -c 'exit 7'
echo "child shell exit status $?"
echo "$(echo outer $(echo inner))"
