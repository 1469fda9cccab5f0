package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.abi.OpenFlags;
import dev.jvisor.p9.FileNode;
import dev.jvisor.p9.Qid;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Extended attributes through Txattrwalk/Txattrcreate. Only the {@code user.} namespace is
 * served: {@code security.} and {@code trusted.} attributes (file capabilities, SELinux labels)
 * would let a sandbox mint privileges that the host honours.
 */
final class Xattrs {
    /** XATTR_SIZE_MAX, {@code <linux/limits.h>}. */
    static final int SIZE_MAX = 65536;
    private static final String USER_PREFIX = "user.";

    private Xattrs() {}

    /** A reader of attribute {@code name} of {@code node}, or of the name list when it is empty. */
    static FileNode.XattrReader walk(GoferNode node, String name) throws ErrnoException {
        byte[] value;
        int fd = openForXattr(node);
        try {
            if (name.isEmpty()) {
                value = userNamesOnly(Native.fgetxattr(fd, null, SIZE_MAX));
            } else {
                requireUserName(name, Errno.ENODATA);
                value = Native.fgetxattr(fd, name, SIZE_MAX);
            }
        } finally {
            Native.closeQuietly(fd);
        }
        return new FileNode.XattrReader(new ValueReader(node.qid(), value), value.length);
    }

    /** A node collecting attribute {@code name}'s value; set on the file when the fid is clunked. */
    static FileNode create(GoferNode node, String name, long size, int flags) throws ErrnoException {
        requireUserName(name, Errno.EPERM);
        if (size < 0 || size > SIZE_MAX) {
            throw new ErrnoException(Errno.E2BIG, "xattrcreate");
        }
        // XATTR_CREATE 1, XATTR_REPLACE 2, <linux/xattr.h>.
        if ((flags & ~3) != 0) {
            throw new ErrnoException(Errno.EINVAL, "xattrcreate");
        }
        return new ValueWriter((GoferNode) node.duplicate(), name, (int) size, flags);
    }

    private static int openForXattr(GoferNode node) throws ErrnoException {
        if (node.stat().isDirectory()) {
            return node.mount().reopen(node, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        }
        if (node.stat().isRegular()) {
            return node.mount().reopen(node, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK);
        }
        throw new ErrnoException(Errno.EOPNOTSUPP, "xattr");
    }

    private static void requireUserName(String name, Errno otherwise) throws ErrnoException {
        if (!name.startsWith(USER_PREFIX) || name.length() == USER_PREFIX.length()) {
            throw new ErrnoException(otherwise, "xattr " + name);
        }
    }

    /** Filters a NUL-separated name list down to {@code user.} names. */
    private static byte[] userNamesOnly(byte[] list) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = 0;
        for (int i = 0; i < list.length; i++) {
            if (list[i] == 0) {
                String n = new String(list, start, i - start, StandardCharsets.UTF_8);
                if (n.startsWith(USER_PREFIX)) {
                    out.write(list, start, i - start + 1);
                }
                start = i + 1;
            }
        }
        return out.toByteArray();
    }

    /** The fid Txattrwalk makes: reads a value captured at walk time. */
    private record ValueReader(Qid qid, byte[] value) implements FileNode {
        @Override
        public FileNode walk(String name) throws ErrnoException {
            throw new ErrnoException(Errno.ENOTDIR, "walk");
        }

        @Override
        public FileNode duplicate() {
            return this;
        }

        @Override
        public byte[] read(long offset, int count) {
            if (offset < 0 || offset >= value.length) {
                return new byte[0];
            }
            return Arrays.copyOfRange(value, (int) offset, (int) Math.min(value.length, offset + count));
        }

        @Override
        public void close() {}
    }

    /** The fid Txattrcreate makes: collects exactly the declared size, then sets it on clunk. */
    private static final class ValueWriter implements FileNode {
        private final GoferNode target;
        private final String name;
        private final byte[] value;
        private final int flags;

        ValueWriter(GoferNode target, String name, int size, int flags) {
            this.target = target;
            this.name = name;
            this.value = new byte[size];
            this.flags = flags;
        }

        @Override
        public Qid qid() {
            return target.qid();
        }

        @Override
        public FileNode walk(String n) throws ErrnoException {
            throw new ErrnoException(Errno.ENOTDIR, "walk");
        }

        @Override
        public FileNode duplicate() throws ErrnoException {
            throw new ErrnoException(Errno.EBADF, "walk");
        }

        @Override
        public synchronized int write(long offset, byte[] data) throws ErrnoException {
            if (offset < 0 || offset + data.length > value.length) {
                throw new ErrnoException(Errno.E2BIG, "xattr write");
            }
            System.arraycopy(data, 0, value, (int) offset, data.length);
            return data.length;
        }

        @Override
        public synchronized void close() {
            try {
                int fd = openForXattr(target);
                try {
                    Native.fsetxattr(fd, name, value, flags);
                } finally {
                    Native.closeQuietly(fd);
                }
            } catch (ErrnoException e) {
                // 9P reports nothing after Rclunk; the client sees the result in a later read.
                System.getLogger(Xattrs.class.getName()).log(System.Logger.Level.DEBUG, e.getMessage());
            } finally {
                target.close();
            }
        }
    }
}
