package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.FileMode;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.fs.unix.Names;
import dev.jvisor.sentry.fs.unix.UnixSocket;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.Location;
import dev.jvisor.sentry.vfs.OpenFile;
import dev.jvisor.sentry.vfs.Vfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Implements socket(2), socketpair(2), bind(2), listen(2), accept(2)/accept4, connect(2),
 * sendto/recvfrom, sendmsg/recvmsg (SCM_RIGHTS, SCM_CREDENTIALS), shutdown(2),
 * getsockname/getpeername, getsockopt/setsockopt — for AF_UNIX, served inside the sandbox.
 */
final class SysSocket {
    private SysSocket() {}

    private static final int AF_UNIX = 1;
    private static final int SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    private static final int MSG_PEEK = 0x2, MSG_CTRUNC = 0x8, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40,
            MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
    private static final int SO_TYPE = 3, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_PASSCRED = 16,
            SO_PEERCRED = 17, SO_PROTOCOL = 38, SO_DOMAIN = 39, SO_ACCEPTCONN = 30;
    private static final int MAX_FDS_PER_MESSAGE = 253; // SCM_MAX_FD

    static void register(Registrar r) {
        String note = "AF_UNIX (stream, dgram, seqpacket) and AF_INET/AF_INET6 on loopback inside the sandbox; other families are EAFNOSUPPORT";
        r.partial(Sysno.SOCKET, "ddd", note, (t, a) -> {
            int domain = (int) a.arg(0), type = (int) a.arg(1);
            int kind;
            if (domain == AF_UNIX) {
                kind = checkType(type, a.arg(2));
            } else if (domain == InetLoopback.AF_INET || domain == InetLoopback.AF_INET6) {
                kind = checkType(type, 0);
                if (kind == UnixSocket.SOCK_SEQPACKET) throw Errno.ESOCKTNOSUPPORT.exception();
                long proto = a.arg(2);
                if (proto != 0 && proto != (kind == UnixSocket.SOCK_STREAM ? 6 : 17)) throw Errno.EPROTONOSUPPORT.exception();
            } else {
                throw Errno.EAFNOSUPPORT.exception();
            }
            return install(t, new UnixSocket(kind, (type & SOCK_NONBLOCK) != 0 ? FileMode.O_NONBLOCK : 0).family(domain), type);
        });
        r.partial(Sysno.SOCKETPAIR, "dddp", note, (t, a) -> {
            int type = (int) a.arg(1);
            int domain = (int) a.arg(0);
            // Internet sockets exist but cannot be made in pairs.
            if (domain == InetLoopback.AF_INET || domain == InetLoopback.AF_INET6) throw Errno.EOPNOTSUPP.exception();
            if (domain != AF_UNIX) throw Errno.EAFNOSUPPORT.exception();
            int kind = checkType(type, a.arg(2));
            t.mm().checkAccess(a.arg(3), 8, true);
            UnixSocket[] pair = UnixSocket.pair(kind, (type & SOCK_NONBLOCK) != 0 ? FileMode.O_NONBLOCK : 0, creds(t));
            int fd0 = install(t, pair[0], type);
            int fd1;
            try {
                fd1 = install(t, pair[1], type);
            } catch (RuntimeException e) {
                t.fds().close(fd0);
                throw e;
            }
            t.mm().writeInt(a.arg(3), fd0);
            t.mm().writeInt(a.arg(3) + 4, fd1);
            return 0;
        });
        r.partial(Sysno.BIND, "fpd", note, SysSocket::bind);
        r.partial(Sysno.LISTEN, "fd", note, (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            if (s.family() != AF_UNIX && s.boundName() == null) InetLoopback.bind(s, 0);
            s.listen((int) a.arg(1));
            return 0;
        });
        r.partial(Sysno.ACCEPT, "fpp", note, (t, a) -> accept(t, a, 0));
        r.partial(Sysno.ACCEPT4, "fppx", note, (t, a) -> accept(t, a, (int) a.arg(3)));
        r.partial(Sysno.CONNECT, "fpd", note, (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            UnixSocket target = lookup(t, s, a.arg(1), (int) a.arg(2));
            if (s.family() != AF_UNIX && s.boundName() == null) InetLoopback.bind(s, 0);
            s.connect(t, target, creds(t));
            return 0;
        });
        r.partial(Sysno.SENDTO, "fbdxpd", note, (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            int flags = (int) a.arg(3);
            UnixSocket to = a.arg(4) == 0 ? null : lookup(t, s, a.arg(4), (int) a.arg(5));
            if (s.family() != AF_UNIX && s.boundName() == null) InetLoopback.bind(s, 0);
            byte[] data = t.mm().read(a.arg(1), (int) Math.min(Math.max(a.arg(2), 0), 1 << 24));
            return s.send(t, data, List.of(), to, (flags & MSG_DONTWAIT) != 0, (flags & MSG_NOSIGNAL) != 0);
        });
        r.partial(Sysno.RECVFROM, "fpdxpp", note, (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            int flags = (int) a.arg(3);
            t.mm().checkAccess(a.arg(1), a.arg(2), true);
            UnixSocket.Received got = s.receive(t, (int) Math.min(Math.max(a.arg(2), 0), 1 << 24), (flags & MSG_PEEK) != 0,
                    (flags & MSG_DONTWAIT) != 0, (flags & MSG_WAITALL) != 0);
            t.mm().write(a.arg(1), got.data(), 0, got.data().length);
            for (OpenFile f : got.files()) f.release();
            if (a.arg(4) != 0) writeAddress(t, s, a.arg(4), a.arg(5), got.from());
            return (flags & MSG_TRUNC) != 0 ? got.fullLength() : got.data().length;
        });
        r.partial(Sysno.SENDMSG, "fpx", note, (t, a) -> sendmsg(t, a.arg(0), a.arg(1), (int) a.arg(2)));
        r.partial(Sysno.RECVMSG, "fpx", note, (t, a) -> recvmsg(t, a.arg(0), a.arg(1), (int) a.arg(2)));
        r.partial(Sysno.SENDMMSG, "fpdx", note, (t, a) -> sendmmsg(t, a.arg(0), a.arg(1), a.arg(2), (int) a.arg(3)));
        r.partial(Sysno.RECVMMSG, "fpdxp", note + "; the timeout is checked only between messages, as on Linux",
                (t, a) -> recvmmsg(t, a.arg(0), a.arg(1), a.arg(2), (int) a.arg(3), a.arg(4)));
        r.partial(Sysno.SHUTDOWN, "fd", note, (t, a) -> {
            int how = (int) a.arg(1);
            if (how < 0 || how > 2) throw Errno.EINVAL.exception();
            socket(t, a.arg(0)).shutdown(how);
            return 0;
        });
        r.partial(Sysno.GETSOCKNAME, "fpp", note, (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            writeAddress(t, s, a.arg(1), a.arg(2), s.boundName());
            return 0;
        });
        r.partial(Sysno.GETPEERNAME, "fpp", note, (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            writeAddress(t, s, a.arg(1), a.arg(2), s.peerName());
            return 0;
        });
        r.partial(Sysno.GETSOCKOPT, "fddpp", "SOL_SOCKET: type, error, buffers, passcred, peercred, domain, protocol", SysSocket::getsockopt);
        r.partial(Sysno.SETSOCKOPT, "fddpd", "SO_PASSCRED applies; other options are accepted and ignored", (t, a) -> {
            UnixSocket s = socket(t, a.arg(0));
            if ((int) a.arg(1) == SOL_SOCKET && (int) a.arg(2) == SO_PASSCRED) {
                if (a.arg(4) < 4) throw Errno.EINVAL.exception();
                s.passCredentials(t.mm().readInt(a.arg(3)) != 0);
            }
            return 0;
        });
    }

    private static int checkType(int type, long protocol) {
        int kind = type & 0xf;
        if ((type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) throw Errno.EINVAL.exception();
        if (kind != UnixSocket.SOCK_STREAM && kind != UnixSocket.SOCK_DGRAM && kind != UnixSocket.SOCK_SEQPACKET) {
            throw Errno.ESOCKTNOSUPPORT.exception();
        }
        if (protocol != 0 && protocol != AF_UNIX) throw Errno.EPROTONOSUPPORT.exception();
        return kind;
    }

    private static int install(Task t, UnixSocket s, int type) {
        return t.fds().install(s, 0, (type & SOCK_CLOEXEC) != 0);
    }

    private static int[] creds(Task t) {
        return new int[] {t.tgid(), t.creds().uid(), t.creds().gid()};
    }

    private static UnixSocket socket(Task t, long fd) {
        OpenFile f = t.fds().get((int) fd);
        if (!(f instanceof UnixSocket s)) throw Errno.ENOTSOCK.exception();
        return s;
    }

    /** Parses a struct sockaddr_un: {family, name}; a name starting with NUL is abstract. */
    private static String[] address(Task t, long addr, int len) {
        if (len < 2 || len > 110) throw Errno.EINVAL.exception();
        byte[] raw = t.mm().read(addr, len);
        if ((raw[0] & 0xff | (raw[1] & 0xff) << 8) != AF_UNIX) throw Errno.EAFNOSUPPORT.exception();
        if (len == 2) throw Errno.EINVAL.exception();
        if (raw[2] == 0) return new String[] {"abstract", new String(raw, 3, len - 3, StandardCharsets.ISO_8859_1)};
        int end = 2;
        while (end < len && raw[end] != 0) end++;
        return new String[] {"path", new String(raw, 2, end - 2, StandardCharsets.UTF_8)};
    }

    private static UnixSocket lookup(Task t, UnixSocket self, long addr, int len) {
        if (self.family() != AF_UNIX) {
            int fam = len >= 2 ? (t.mm().read(addr, 2)[0] & 0xff) : -1;
            if (fam != self.family()) throw Errno.EAFNOSUPPORT.exception();
            return InetLoopback.lookup(InetLoopback.parse(t, addr, len, self.family()));
        }
        String[] a = address(t, addr, len);
        if (a[0].equals("abstract")) return Names.lookupAbstract(a[1]);
        Location l = Paths.resolve(t, FileMode.AT_FDCWD, a[1], true);
        Vfs.checkPermission(t.creds(), l.inode(), Vfs.MAY_WRITE);
        return Names.lookupPath(l.inode());
    }

    private static long bind(Task t, Registers a) {
        UnixSocket s = socket(t, a.arg(0));
        if (s.family() != AF_UNIX) {
            InetLoopback.Address in = InetLoopback.parse(t, a.arg(1), (int) a.arg(2), s.family());
            if (!in.local()) throw Errno.EADDRNOTAVAIL.exception();
            // Ports below net.ipv4.ip_unprivileged_port_start (1024) need CAP_NET_BIND_SERVICE.
            if (in.port() != 0 && in.port() < 1024 && !t.creds().hasCap(dev.jvisor.abi.linux.Capability.CAP_NET_BIND_SERVICE)) {
                throw Errno.EACCES.exception();
            }
            if (s.boundName() != null) throw Errno.EINVAL.exception();
            InetLoopback.bind(s, in.port());
            return 0;
        }
        if (a.arg(2) == 2) {
            byte[] family = t.mm().read(a.arg(1), 2);
            if ((family[0] & 0xff | (family[1] & 0xff) << 8) == AF_UNIX) {
                Names.autobind(s);
                return 0;
            }
        }
        String[] addr = address(t, a.arg(1), (int) a.arg(2));
        if (addr[0].equals("abstract")) {
            Names.bindAbstract(addr[1], s);
            return 0;
        }
        Vfs.Parent p = Paths.parent(t, FileMode.AT_FDCWD, addr[1]);
        DirInode dir = p.dir().dir();
        Vfs.checkPermission(t.creds(), dir, Vfs.MAY_WRITE | Vfs.MAY_EXEC);
        Vfs.checkWritable(p.dir());
        if (!dir.mutable()) throw Errno.EACCES.exception();
        // The socket's name is the path as the caller spelled it, relative or not (unix(7)).
        Names.bindPath(dir, p.name(), addr[1], 0777 & ~t.fs().umask(), t.creds().fsuid(), t.creds().fsgid(), s);
        return 0;
    }

    private static long accept(Task t, Registers a, int flags) {
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) throw Errno.EINVAL.exception();
        UnixSocket listener = socket(t, a.arg(0));
        UnixSocket s = listener.accept(t, creds(t));
        if ((flags & SOCK_NONBLOCK) != 0) s.setStatusFlags(s.flags() | FileMode.O_NONBLOCK);
        int fd = t.fds().install(s, 0, (flags & SOCK_CLOEXEC) != 0);
        if (a.arg(1) != 0) writeAddress(t, s, a.arg(1), a.arg(2), s.peerNameOrNull());
        return fd;
    }

    /** Writes a sockaddr_un for {@code name} (null: unnamed) and its length, truncating as Linux does. */
    private static void writeAddress(Task t, UnixSocket s, long addr, long lenAddr, String name) {
        if (lenAddr == 0) throw Errno.EFAULT.exception();
        int room = t.mm().readInt(lenAddr);
        if (room < 0) throw Errno.EINVAL.exception();
        if (s.family() != AF_UNIX) {
            byte[] sa = InetLoopback.sockaddr(s.family(), InetLoopback.isInetName(name) ? InetLoopback.portOf(name) : 0);
            t.mm().write(addr, sa, 0, Math.min(room, sa.length));
            t.mm().writeInt(lenAddr, sa.length);
            return;
        }
        byte[] n = name == null ? new byte[0] : name.getBytes(name.startsWith("\0") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        boolean abstractName = name != null && name.startsWith("\0");
        ByteBuffer b = ByteBuffer.allocate(2 + n.length + (abstractName || n.length == 0 ? 0 : 1)).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) AF_UNIX).put(n);
        byte[] full = b.array();
        t.mm().write(addr, full, 0, Math.min(room, full.length));
        t.mm().writeInt(lenAddr, full.length);
    }

    /** struct mmsghdr: a msghdr, then the unsigned msg_len the kernel fills in (padded to 64 bytes). */
    private static final int MMSGHDR_SIZE = 64, MSG_LEN_OFFSET = 56;
    /** UIO_MAXIOV: sendmmsg/recvmmsg handle at most this many messages per call. */
    private static final int MAX_MMSG = 1024;
    private static final int MSG_WAITFORONE = 0x10000;

    /** sendmmsg(2): sendmsg for each message; stops at the first error, which is reported only if nothing was sent. */
    private static long sendmmsg(Task t, long fd, long vec, long vlen, int flags) {
        socket(t, fd);
        int n = (int) Math.min(vlen & 0xffffffffL, MAX_MMSG);
        int sent = 0;
        for (; sent < n; sent++) {
            long hdr = vec + (long) MMSGHDR_SIZE * sent;
            long len;
            try {
                len = sendmsg(t, fd, hdr, flags);
            } catch (dev.jvisor.abi.linux.ErrnoException e) {
                if (sent > 0) break;
                throw e;
            }
            t.mm().writeInt(hdr + MSG_LEN_OFFSET, (int) len);
        }
        return sent;
    }

    /**
     * recvmmsg(2): recvmsg for each message; with MSG_WAITFORONE only the first may block. The
     * timeout, as on Linux, is looked at only after each message.
     */
    private static long recvmmsg(Task t, long fd, long vec, long vlen, int flags, long timeoutAddr) {
        socket(t, fd);
        long deadline = timeoutAddr == 0 ? Long.MAX_VALUE : SysTime.deadlineFromTimespec(t, timeoutAddr);
        int n = (int) Math.min(vlen & 0xffffffffL, MAX_MMSG);
        int got = 0;
        for (; got < n; got++) {
            long hdr = vec + (long) MMSGHDR_SIZE * got;
            int f = flags & ~MSG_WAITFORONE;
            if (got > 0 && (flags & MSG_WAITFORONE) != 0) f |= MSG_DONTWAIT;
            long len;
            try {
                len = recvmsg(t, fd, hdr, f);
            } catch (dev.jvisor.abi.linux.ErrnoException e) {
                if (got > 0) break;
                throw e;
            }
            t.mm().writeInt(hdr + MSG_LEN_OFFSET, (int) len);
            if (System.nanoTime() >= deadline) {
                got++;
                break;
            }
        }
        return got;
    }

    private static long sendmsg(Task t, long fd, long msgAddr, int flags) {
        UnixSocket s = socket(t, fd);
        ByteBuffer h = ByteBuffer.wrap(t.mm().read(msgAddr, 56)).order(ByteOrder.LITTLE_ENDIAN);
        long name = h.getLong(0), iov = h.getLong(16), iovlen = h.getLong(24), control = h.getLong(32), controllen = h.getLong(40);
        int namelen = h.getInt(8);
        if (iovlen < 0 || iovlen > 1024) throw Errno.EMSGSIZE.exception();
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < iovlen; i++) {
            long base = t.mm().readLong(iov + 16L * i), len = t.mm().readLong(iov + 16L * i + 8);
            if (len < 0 || data.size() + len > (1 << 24)) throw Errno.EMSGSIZE.exception();
            if (len > 0) data.writeBytes(t.mm().read(base, (int) len));
        }
        List<OpenFile> files = new ArrayList<>();
        try {
            if (control != 0 && controllen > 0) {
                if (controllen > 65536) throw Errno.ENOBUFS.exception();
                ByteBuffer c = ByteBuffer.wrap(t.mm().read(control, (int) controllen)).order(ByteOrder.LITTLE_ENDIAN);
                int pos = 0;
                while (pos + 16 <= controllen) {
                    long clen = c.getLong(pos);
                    int level = c.getInt(pos + 8), type = c.getInt(pos + 12);
                    if (clen < 16 || pos + clen > controllen) throw Errno.EINVAL.exception();
                    if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                        int count = (int) ((clen - 16) / 4);
                        if (files.size() + count > MAX_FDS_PER_MESSAGE) throw Errno.EINVAL.exception();
                        for (int i = 0; i < count; i++) files.add(t.fds().acquire(c.getInt(pos + 16 + 4 * i)));
                    } else if (!(level == SOL_SOCKET && type == SCM_CREDENTIALS)) {
                        throw Errno.EINVAL.exception();
                    }
                    pos += (int) ((clen + 7) & ~7L);
                }
            }
            UnixSocket to = name == 0 || namelen == 0 ? null : lookup(t, s, name, namelen);
            if (s.family() != AF_UNIX && s.boundName() == null) InetLoopback.bind(s, 0);
            return s.send(t, data.toByteArray(), files, to, (flags & MSG_DONTWAIT) != 0, (flags & MSG_NOSIGNAL) != 0);
        } catch (RuntimeException e) {
            for (OpenFile f : files) f.release();
            throw e;
        }
    }

    private static long recvmsg(Task t, long fd, long hdr, int flags) {
        UnixSocket s = socket(t, fd);
        ByteBuffer h = ByteBuffer.wrap(t.mm().read(hdr, 56)).order(ByteOrder.LITTLE_ENDIAN);
        long name = h.getLong(0), iov = h.getLong(16), iovlen = h.getLong(24), control = h.getLong(32), controllen = h.getLong(40);
        if (iovlen < 0 || iovlen > 1024) throw Errno.EMSGSIZE.exception();
        long[][] vec = new long[(int) iovlen][2];
        long total = 0;
        for (int i = 0; i < iovlen; i++) {
            vec[i][0] = t.mm().readLong(iov + 16L * i);
            vec[i][1] = t.mm().readLong(iov + 16L * i + 8);
            if (vec[i][1] < 0) throw Errno.EINVAL.exception();
            t.mm().checkAccess(vec[i][0], vec[i][1], true);
            total += vec[i][1];
        }
        UnixSocket.Received got = s.receive(t, (int) Math.min(total, 1 << 24), (flags & MSG_PEEK) != 0,
                (flags & MSG_DONTWAIT) != 0, (flags & MSG_WAITALL) != 0);
        int off = 0;
        for (long[] v : vec) {
            int n = (int) Math.min(v[1], got.data().length - off);
            if (n <= 0) break;
            t.mm().write(v[0], got.data(), off, n);
            off += n;
        }
        int outFlags = got.truncated() ? MSG_TRUNC : 0;
        ByteBuffer c = ByteBuffer.allocate((int) Math.max(0, Math.min(controllen, 65536))).order(ByteOrder.LITTLE_ENDIAN);
        if (!got.files().isEmpty()) {
            int room = (c.capacity() - 16) / 4;
            int fit = Math.max(0, Math.min(room, got.files().size()));
            if (fit < got.files().size()) outFlags |= MSG_CTRUNC;
            if (fit > 0) {
                c.putLong(16 + 4L * fit).putInt(SOL_SOCKET).putInt(SCM_RIGHTS);
                for (int i = 0; i < fit; i++) {
                    c.putInt(t.fds().install(got.files().get(i), 0, (flags & MSG_CMSG_CLOEXEC) != 0));
                }
                while (c.position() % 8 != 0 && c.position() < c.capacity()) c.put((byte) 0);
            }
            for (int i = fit; i < got.files().size(); i++) got.files().get(i).release();
        }
        if (got.creds() != null && s.passesCredentials()) {
            if (c.remaining() >= 28) {
                c.putLong(28).putInt(SOL_SOCKET).putInt(SCM_CREDENTIALS);
                c.putInt(got.creds()[0]).putInt(got.creds()[1]).putInt(got.creds()[2]);
                while (c.position() % 8 != 0 && c.position() < c.capacity()) c.put((byte) 0);
            } else {
                outFlags |= MSG_CTRUNC;
            }
        }
        if (c.position() > 0) t.mm().write(control, c.array(), 0, c.position());
        t.mm().writeLong(hdr + 40, c.position());
        t.mm().writeInt(hdr + 48, outFlags);
        if (name != 0 && s.family() != AF_UNIX) {
            byte[] sa = InetLoopback.sockaddr(s.family(), InetLoopback.isInetName(got.from()) ? InetLoopback.portOf(got.from()) : 0);
            t.mm().write(name, sa, 0, Math.min(h.getInt(8), sa.length));
            t.mm().writeInt(hdr + 8, sa.length);
        } else if (name != 0) {
            int room = h.getInt(8);
            byte[] n = got.from() == null ? new byte[0] : got.from().getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer b = ByteBuffer.allocate(2 + n.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort((short) AF_UNIX).put(n);
            t.mm().write(name, b.array(), 0, Math.min(room, b.capacity()));
            t.mm().writeInt(hdr + 8, b.capacity());
        }
        return (flags & MSG_TRUNC) != 0 ? got.fullLength() : got.data().length;
    }

    private static long getsockopt(Task t, Registers a) {
        UnixSocket s = socket(t, a.arg(0));
        int level = (int) a.arg(1), opt = (int) a.arg(2);
        long val = a.arg(3), lenAddr = a.arg(4);
        if (level != SOL_SOCKET) {
            // AF_UNIX has no protocol-level options at all (Linux: sock_no_getsockopt).
            if (s.family() == AF_UNIX) throw Errno.EOPNOTSUPP.exception();
            if (level != 6 && level != 0 && level != 41) throw Errno.ENOPROTOOPT.exception();
            // IPPROTO_TCP / IP / IPV6 options of a loopback socket: report them off.
            int room = t.mm().readInt(lenAddr);
            if (room < 4) throw Errno.EINVAL.exception();
            t.mm().writeInt(val, 0);
            t.mm().writeInt(lenAddr, 4);
            return 0;
        }
        int room = t.mm().readInt(lenAddr);
        if (room < 0) throw Errno.EINVAL.exception();
        byte[] out;
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        switch (opt) {
            case SO_TYPE -> b.putInt(s.type());
            case SO_ERROR -> b.putInt(0);
            case SO_SNDBUF, SO_RCVBUF -> b.putInt(212992);
            case SO_PASSCRED -> b.putInt(s.passesCredentials() ? 1 : 0);
            case SO_ACCEPTCONN -> b.putInt(s.listening() ? 1 : 0);
            case SO_DOMAIN -> b.putInt(s.family());
            case 2 /* SO_REUSEADDR */, 9 /* SO_KEEPALIVE */, 15 /* SO_REUSEPORT */ -> b.putInt(0);
            case SO_PROTOCOL -> b.putInt(0);
            case SO_PEERCRED -> {
                int[] c = s.peerCredentials();
                if (c == null) c = new int[] {0, -1, -1};
                b.putInt(c[0]).putInt(c[1]).putInt(c[2]);
            }
            default -> throw Errno.ENOPROTOOPT.exception();
        }
        out = java.util.Arrays.copyOf(b.array(), b.position());
        int n = Math.min(room, out.length);
        t.mm().write(val, out, 0, n);
        t.mm().writeInt(lenAddr, n);
        return 0;
    }
}
