# A shell that kills itself reports 128 + SIGTERM to its parent. (Done in a child shell: the
# script's own shell is the sandbox's init, which Linux shields from its own SIGTERM.)
sh -c 'echo "about to be terminated"; kill -TERM $$; echo "not reached"'
echo "child shell status $?"
exit 3
