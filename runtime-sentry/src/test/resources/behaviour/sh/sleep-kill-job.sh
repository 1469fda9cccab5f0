# Kills a background job by job number; wait reports 128 + SIGTERM.
sleep 1 &
kill %1
wait $!
echo "sleep job status $?"
sleep 5 &
kill -9 $!
wait $!
echo "killed -9 status $?"
