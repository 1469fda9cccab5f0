# The shell kills itself; the status seen from outside is 128 + SIGTERM.
echo "about to be terminated"
kill -TERM $$
echo "not reached"
