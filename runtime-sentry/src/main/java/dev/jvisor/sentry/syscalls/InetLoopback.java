package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.fs.unix.Names;
import dev.jvisor.sentry.fs.unix.UnixSocket;
import dev.jvisor.sentry.kernel.Task;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * AF_INET and AF_INET6 on the loopback interface, for sandboxes without a network
 * ({@code --network=none}): a program can serve and connect to 127.0.0.1 or ::1 inside its own
 * sandbox. Sockets are the sandbox's AF_UNIX machinery keyed by port; any other destination is
 * unreachable.
 */
final class InetLoopback {
    private InetLoopback() {}

    static final int AF_INET = 2, AF_INET6 = 10;
    private static final int EPHEMERAL_FIRST = 32768, EPHEMERAL_LAST = 60999;
    private static final AtomicInteger NEXT_EPHEMERAL = new AtomicInteger(EPHEMERAL_FIRST);
    /** Bound names of inet sockets: an abstract name nothing else can spell (a leading 0x01). */
    private static final String PREFIX = "\u0001inet:";

    /** Port and whether the address is one this sandbox answers on (loopback or any). */
    record Address(int port, boolean local) {}

    static Address parse(Task t, long addr, int len, int family) {
        if (family == AF_INET) {
            if (len < 16) throw Errno.EINVAL.exception();
            ByteBuffer b = ByteBuffer.wrap(t.mm().read(addr, 16));
            int fam = (b.get(0) & 0xff) | (b.get(1) & 0xff) << 8;
            if (fam != AF_INET) throw Errno.EAFNOSUPPORT.exception();
            int port = b.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff;
            int first = b.get(4) & 0xff;
            boolean any = b.getInt(4) == 0;
            return new Address(port, first == 127 || any);
        }
        if (len < 24) throw Errno.EINVAL.exception();
        ByteBuffer b = ByteBuffer.wrap(t.mm().read(addr, Math.min(len, 28)));
        int fam = (b.get(0) & 0xff) | (b.get(1) & 0xff) << 8;
        if (fam != AF_INET6) throw Errno.EAFNOSUPPORT.exception();
        int port = b.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff;
        long hi = b.getLong(8), lo = b.getLong(16);
        boolean any = hi == 0 && lo == 0, loopback = hi == 0 && lo == 1;
        boolean mappedLoopback = hi == 0 && (lo >>> 32) == 0xffff && ((lo >>> 24) & 0xff) == 127;
        return new Address(port, any || loopback || mappedLoopback);
    }

    static String name(int port) { return PREFIX + port; }

    static boolean isInetName(String boundName) {
        return boundName != null && boundName.startsWith("\0" + PREFIX);
    }

    static int portOf(String boundName) {
        return Integer.parseInt(boundName.substring(1 + PREFIX.length()));
    }

    /** bind(2): a given port, or an ephemeral one for port 0. */
    static void bind(UnixSocket s, int port) {
        if (port != 0) {
            Names.bindAbstract(name(port), s);
            return;
        }
        for (int i = 0; i <= EPHEMERAL_LAST - EPHEMERAL_FIRST; i++) {
            int p = EPHEMERAL_FIRST + Math.floorMod(NEXT_EPHEMERAL.getAndIncrement() - EPHEMERAL_FIRST, EPHEMERAL_LAST - EPHEMERAL_FIRST + 1);
            try {
                Names.bindAbstract(name(p), s);
                return;
            } catch (dev.jvisor.abi.linux.ErrnoException e) {
                if (e.errno() != Errno.EADDRINUSE) throw e;
            }
        }
        throw Errno.EADDRNOTAVAIL.exception();
    }

    static UnixSocket lookup(Address a) {
        if (!a.local()) throw Errno.ENETUNREACH.exception();
        try {
            return Names.lookupAbstract(name(a.port()));
        } catch (dev.jvisor.abi.linux.ErrnoException e) {
            throw Errno.ECONNREFUSED.exception();
        }
    }

    /** A sockaddr_in / sockaddr_in6 for the loopback address and {@code port}. */
    static byte[] sockaddr(int family, int port) {
        if (family == AF_INET) {
            ByteBuffer b = ByteBuffer.allocate(16);
            b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) AF_INET);
            b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).put(new byte[] {127, 0, 0, 1});
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(28);
        b.order(ByteOrder.LITTLE_ENDIAN).putShort((short) AF_INET6);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0).putLong(0).putLong(1).putInt(0);
        return b.array();
    }
}
