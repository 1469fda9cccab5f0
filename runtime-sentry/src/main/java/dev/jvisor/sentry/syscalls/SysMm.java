package dev.jvisor.sentry.syscalls;

import dev.jvisor.abi.linux.Capability;
import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.Sysno;
import dev.jvisor.sentry.kernel.Rlimits;
import dev.jvisor.sentry.fs.overlay.FilePages;
import dev.jvisor.sentry.kernel.Task;
import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.mm.SharedMemory;
import dev.jvisor.sentry.platform.Registers;
import dev.jvisor.sentry.vfs.OpenFile;

/** Implements brk(2), mmap(2), munmap(2), mprotect(2), mremap(2), madvise(2), mincore(2), msync(2), mlock(2) family. */
final class SysMm {
    private SysMm() {}

    // include/uapi/asm-generic/mman-common.h, mman.h, arch/x86/include/uapi/asm/mman.h
    private static final int MAP_SHARED = 0x1, MAP_PRIVATE = 0x2, MAP_SHARED_VALIDATE = 0x3, MAP_TYPE = 0xf,
            MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_GROWSDOWN = 0x100, MAP_HUGETLB = 0x40000,
            MAP_FIXED_NOREPLACE = 0x100000;
    private static final int PROT_MASK = 0x7;
    private static final int MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9;
    private static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

    static void register(Registrar r) {
        r.full(Sysno.BRK, "p", (t, a) -> {
            long requested = a.arg(0), start = t.mm().brkStart();
            // RLIMIT_DATA bounds the heap (mm/mmap.c check_data_rlimit, without the data segment).
            long limit = t.group().rlimits().soft(Rlimits.RLIMIT_DATA);
            if (requested > start && Long.compareUnsigned(requested - start, limit) > 0) return t.mm().brk(0);
            return t.mm().brk(requested);
        });
        r.partial(Sysno.MMAP, "pdxxfx", "MAP_SHARED of tmpfs files is coherent; MAP_PRIVATE of a file held in memory (or of a large lower file, mapped where it is) shares its pages until written; other file mappings are copies taken at mmap time (writable MAP_SHARED of Gofer files: ENODEV); truncation does not make existing mappings fault",
                SysMm::mmap);
        r.full(Sysno.MUNMAP, "pd", (t, a) -> {
            t.mm().unmap(a.arg(0), a.arg(1));
            return 0;
        });
        r.full(Sysno.MPROTECT, "pdx", (t, a) -> {
            int prot = (int) a.arg(2);
            if ((prot & ~(PROT_MASK | 0x01000000 | 0x02000000)) != 0) throw Errno.EINVAL.exception();
            t.mm().protect(a.arg(0), a.arg(1), prot & PROT_MASK);
            return 0;
        });
        r.partial(Sysno.MREMAP, "pddxp", "MREMAP_DONTUNMAP is EINVAL", (t, a) -> {
            int flags = (int) a.arg(3);
            if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0 || (flags & MREMAP_DONTUNMAP) != 0) {
                throw Errno.EINVAL.exception();
            }
            if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) throw Errno.EINVAL.exception();
            long grows = AddressSpace.pageUp(a.arg(2)) - AddressSpace.pageUp(a.arg(1));
            var v = t.mm().vmaAt(a.arg(0));
            if (grows > 0 && v != null) {
                checkLimits(t, 0, 0, grows, !v.shared() && (v.prot() & AddressSpace.PROT_WRITE) != 0);
            }
            return t.mm().remap(a.arg(0), a.arg(1), a.arg(2), (flags & MREMAP_MAYMOVE) != 0, a.arg(4), (flags & MREMAP_FIXED) != 0);
        });
        r.partial(Sysno.MADVISE, "pdd", "DONTNEED/FREE/REMOVE discard; other advice is accepted and ignored", (t, a) -> {
            long addr = a.arg(0), len = a.arg(1);
            int advice = (int) a.arg(2);
            if ((addr & 4095) != 0 || len < 0) throw Errno.EINVAL.exception();
            if (len == 0) return 0;
            if (!t.mm().isMapped(addr, len)) throw Errno.ENOMEM.exception();
            if (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE) t.mm().discard(addr, len);
            else if (advice < 0 || advice > 25 && advice != 100 && advice != 101) throw Errno.EINVAL.exception();
            return 0;
        });
        r.full(Sysno.MINCORE, "pdp", (t, a) -> {
            long len = a.arg(1);
            if (len <= 0 && len != 0) throw Errno.EINVAL.exception();
            if (len == 0) return 0;
            byte[] v = t.mm().residency(a.arg(0), len);
            t.mm().write(a.arg(2), v, 0, v.length);
            return 0;
        });
        r.full(Sysno.MSYNC, "pdx", (t, a) -> {
            long flags = a.arg(2);
            // MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 4; asking for both kinds of sync is EINVAL.
            if ((a.arg(0) & 4095) != 0 || (flags & ~7) != 0 || (flags & 5) == 5) throw Errno.EINVAL.exception();
            if (a.arg(1) > 0 && !t.mm().isMapped(a.arg(0), a.arg(1))) throw Errno.ENOMEM.exception();
            return 0;
        });
        String lockNote = "memory is never swapped: locking only counts against RLIMIT_MEMLOCK; MCL_FUTURE locks nothing later";
        Handler lockRange = (t, a) -> {
            long[] pages = mappedPages(t, a.arg(0), a.arg(1));
            if (pages[1] > pages[0]) t.mm().lock(pages[0], pages[1], lockLimit(t));
            return 0;
        };
        r.partial(Sysno.MLOCK, "pd", lockNote, lockRange);
        r.partial(Sysno.MLOCK2, "pdx", lockNote, (t, a) -> {
            if ((a.arg(2) & ~1L) != 0) throw Errno.EINVAL.exception(); // only MLOCK_ONFAULT
            return lockRange.call(t, a);
        });
        r.partial(Sysno.MUNLOCK, "pd", lockNote, (t, a) -> {
            long[] pages = mappedPages(t, a.arg(0), a.arg(1));
            if (pages[1] > pages[0]) t.mm().unlock(pages[0], pages[1]);
            return 0;
        });
        r.partial(Sysno.MLOCKALL, "x", lockNote, (t, a) -> {
            long flags = a.arg(0);
            // MCL_CURRENT 1, MCL_FUTURE 2, MCL_ONFAULT 4 (which needs one of the others).
            if (flags == 0 || (flags & ~7L) != 0 || flags == 4) throw Errno.EINVAL.exception();
            if ((flags & 1) != 0) t.mm().lockAll(lockLimit(t));
            return 0;
        });
        r.partial(Sysno.MUNLOCKALL, "", lockNote, (t, a) -> {
            t.mm().unlockAll();
            return 0;
        });
    }

    /** The whole pages [start, end) that {@code addr, len} touch, as mlock(2) and munlock(2) take them; ENOMEM unless mapped. */
    private static long[] mappedPages(Task t, long addr, long len) {
        long start = AddressSpace.pageDown(addr), end = AddressSpace.pageUp(addr + len);
        if (len > 0 && !t.mm().isMapped(start, end - start)) throw Errno.ENOMEM.exception();
        return new long[] {start, end};
    }

    /** RLIMIT_MEMLOCK, or none for a task with CAP_IPC_LOCK (mm/mlock.c). */
    private static long lockLimit(Task t) {
        if (t.creds().hasCap(Capability.CAP_IPC_LOCK)) return Rlimits.INFINITY;
        return t.group().rlimits().soft(Rlimits.RLIMIT_MEMLOCK);
    }

    /**
     * ENOMEM when {@code len} more bytes would take the address space past RLIMIT_AS, or — for
     * private writable memory — its data past RLIMIT_DATA (mm/mmap.c may_expand_vm); a MAP_FIXED
     * mapping's target [replaceStart, replaceEnd) does not count, as it is replaced.
     */
    static void checkLimits(Task t, long replaceStart, long replaceEnd, long len, boolean data) {
        long as = t.group().rlimits().soft(Rlimits.RLIMIT_AS);
        long dataLimit = data ? t.group().rlimits().soft(Rlimits.RLIMIT_DATA) : Rlimits.INFINITY;
        if (as == Rlimits.INFINITY && dataLimit == Rlimits.INFINITY) return;
        long[] used = t.mm().usage(replaceStart, replaceEnd);
        if (Long.compareUnsigned(used[0] + len, as) > 0) throw Errno.ENOMEM.exception();
        if (data && Long.compareUnsigned(used[1] + len, dataLimit) > 0) throw Errno.ENOMEM.exception();
    }

    private static long mmap(Task t, Registers a) {
        long addr = a.arg(0), len = a.arg(1), off = a.arg(5);
        int prot = (int) a.arg(2), flags = (int) a.arg(3), fd = (int) a.arg(4);
        if (len <= 0 || (off & 4095) != 0 || len > AddressSpace.MMAP_BASE) throw Errno.EINVAL.exception();
        int type = flags & MAP_TYPE;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) throw Errno.EINVAL.exception();
        if ((flags & MAP_HUGETLB) != 0) throw Errno.EINVAL.exception();
        if ((prot & ~PROT_MASK) != 0) throw Errno.EINVAL.exception();
        boolean shared = type != MAP_PRIVATE;
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        if (fixed && (addr & 4095) != 0) throw Errno.EINVAL.exception();
        if ((flags & MAP_FIXED_NOREPLACE) != 0 && (flags & MAP_FIXED) == 0) {
            for (var v : t.mm().vmas()) {
                if (v.start() < addr + AddressSpace.pageUp(len) && v.end() > addr) throw Errno.EEXIST.exception();
            }
        }
        String name = (flags & MAP_GROWSDOWN) != 0 ? "[stack]" : "";
        long span = AddressSpace.pageUp(len);
        checkLimits(t, fixed ? addr : 0, fixed ? addr + span : 0, span,
                !shared && (prot & AddressSpace.PROT_WRITE) != 0 && (flags & MAP_GROWSDOWN) == 0);
        if ((flags & MAP_ANONYMOUS) != 0) {
            return t.mm().mapAnonymous(addr, len, prot, shared, fixed, name);
        }
        OpenFile f = t.fds().acquire(fd);
        try {
            if (!f.readable()) throw Errno.EACCES.exception();
            if (f.inode() == null || !f.inode().isRegular()) {
                if (f.inode() != null && f.inode().rdev() == ((1L << 8) | 5)) { // /dev/zero
                    return t.mm().mapAnonymous(addr, len, prot, shared, fixed, "");
                }
                throw Errno.ENODEV.exception();
            }
            if (shared && (prot & AddressSpace.PROT_WRITE) != 0 && !f.writable()) throw Errno.EACCES.exception();
            long fileSize = f.inode().size();
            long eof = AddressSpace.pageUp(fileSize);
            if (shared && !(f.inode() instanceof dev.jvisor.sentry.fs.tmpfs.RegularInode)) {
                // A read-only shared mapping of a file served by the Gofer reads the same bytes as a
                // private copy would, as long as nobody writes the file meanwhile (exclusive access).
                if ((prot & AddressSpace.PROT_WRITE) != 0) throw Errno.ENODEV.exception();
                shared = false;
            }
            if (shared) {
                if (!(f.inode() instanceof dev.jvisor.sentry.fs.tmpfs.RegularInode ri)) throw Errno.ENODEV.exception();
                long at = t.mm().mapShared(addr, len, prot, ri.data().sharedMemory(off + AddressSpace.pageUp(len)), off, fixed, f.path());
                if (off + len > eof) t.mm().markBeyondEof(at + Math.max(0, eof - off), off + len - Math.max(eof, off));
                return at;
            }
            if (off < eof) {
                // Private mapping of a file whose pages are in memory (a library's text or data):
                // map them copy-on-write rather than copy them per process; writes copy the pages
                // they reach, and until then the mapping shows the file's later changes.
                SharedMemory pages = FilePages.of(f.inode(), off + AddressSpace.pageUp(len));
                if (pages != null) {
                    long at = t.mm().mapFilePrivate(addr, len, prot, pages, off, fixed, f.path());
                    if (off + len > eof) t.mm().markBeyondEof(at + (eof - off), off + len - eof);
                    return at;
                }
            }
            long at = t.mm().mapAnonymous(addr, len, prot, false, fixed, f.path());
            if (off + len > eof) t.mm().markBeyondEof(at + Math.max(0, eof - off), off + len - Math.max(eof, off));
            // Copy the file's bytes in; past its end the mapping stays zero.
            byte[] buf = new byte[(int) Math.min(len, 1 << 20)];
            long done = 0;
            while (done < len) {
                int n = f.pread(t, buf, 0, (int) Math.min(buf.length, len - done), off + done);
                if (n <= 0) break;
                t.mm().writeForce(at + done, buf, 0, n);
                done += n;
            }
            return at;
        } finally {
            f.release();
        }
    }
}
