# Walks the whole root filesystem (natively: the same tree in a host directory).
find @ROOT@ -xdev | wc -l
find @ROOT@/bin -xdev -type f | wc -l
find @ROOT@/etc -xdev -name passwd | sed 's|.*/etc/|/etc/|'
