# gcc: compile (cc1, as), link (collect2, ld) and run a program, in the current directory.
cat > hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello from gcc"); return 0; }
C
gcc -O2 -c hello.c && gcc hello.o -o hello && ./hello
