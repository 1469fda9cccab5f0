package dev.jvisor.sentry.mm;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.sentry.host.Host;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One application address space: its VMAs, brk, and the checked copies between application
 * memory and the Sentry. Thread-safe: tasks sharing it (CLONE_VM) lock it. Every change bumps
 * {@link #generation()}, which tells platforms that their host mappings are stale.
 */
public final class AddressSpace {
    public static final long PAGE = MemoryFile.PAGE;
    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    /** Lowest address an application may map (vm.mmap_min_addr). */
    public static final long MIN_ADDR = 0x10000;
    /** Where top-down mmap placement starts, below the stack. */
    public static final long MMAP_BASE = 0x7f00_0000_0000L;

    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private final long top;
    private final long reservedStart, reservedEnd;
    private long generation;
    private long brkStart, brk;
    private final MemoryFile mf = MemoryFile.get();
    private final MemorySegment mem = mf.mapping();

    /**
     * @param top           highest application address + 1
     * @param reservedStart start of a range the platform keeps for itself
     * @param reservedEnd   end of that range
     */
    public AddressSpace(long top, long reservedStart, long reservedEnd) {
        this.top = top;
        this.reservedStart = reservedStart;
        this.reservedEnd = reservedEnd;
    }

    public synchronized long generation() { return generation; }

    private int users = 1;

    /**
     * Chunks unmapped while other tasks share this address space, each with the generation it
     * was unmapped at. Another thread's stub may still map one until it next syncs, so a chunk
     * is released once no stub runs application code with mappings older than that.
     */
    private record Buried(Chunk chunk, long generation) {}
    private final List<Buried> graveyard = new ArrayList<>();
    private boolean everShared;
    /** Tasks have run in this space at the same time: copy-on-write is only for read-only mappings. */
    private boolean threaded;
    /** Each platform context that runs code in this space: {generation synced to, 1 while running}. */
    private final java.util.Map<Object, long[]> mappers = new java.util.IdentityHashMap<>();

    /**
     * Another task uses this address space. {@code concurrently}: it runs at the same time as
     * the others (a thread, clone(CLONE_VM) without CLONE_VFORK), not while the caller waits
     * (vfork). From then on no writable mapping is left copy-on-write: each thread runs through
     * its own stub, which keeps its mappings until it next enters the Sentry, so a page copied
     * at one thread's write fault would stay the file's page in another's for a while.
     */
    public synchronized AddressSpace retainUser(boolean concurrently) {
        users++;
        everShared = true;
        if (concurrently && !threaded) {
            threaded = true;
            for (Vma v : new ArrayList<>(vmas.values())) {
                if (v.copyOnWrite() && (v.prot() & PROT_WRITE) != 0) privateCopy(v);
            }
        }
        return this;
    }

    private void releaseChunk(Chunk c) {
        if (everShared) graveyard.add(new Buried(c, generation));
        else c.release();
    }

    /**
     * A platform context is about to run application code with host mappings synced to
     * generation {@code synced}. Returns false, and records nothing, when the mappings are stale
     * already: the caller syncs again first, so that no stub ever runs with a mapping of memory
     * that may be released.
     */
    public synchronized boolean enter(Object mapper, long synced) {
        if (synced != generation) return false;
        mappers.put(mapper, new long[] {synced, 1});
        return true;
    }

    /** The application code {@code mapper} ran has stopped; memory it alone held is released. */
    public synchronized void leave(Object mapper) {
        long[] m = mappers.get(mapper);
        if (m != null) m[1] = 0;
        reclaim();
    }

    /** {@code mapper} will not run in this space again (its task exited or exec'd). */
    public synchronized void forget(Object mapper) {
        mappers.remove(mapper);
        reclaim();
    }

    /** Releases buried chunks that no running stub can still reach. */
    private void reclaim() {
        if (graveyard.isEmpty()) return;
        graveyard.removeIf(b -> {
            for (long[] m : mappers.values()) {
                if (m[1] == 1 && m[0] <= b.generation()) return false;
            }
            b.chunk().release();
            return true;
        });
    }

    /** Chunks unmapped but not yet released, for tests. */
    synchronized int buriedChunks() { return graveyard.size(); }

    /** A task stopped using it; the last one frees all its memory. */
    public void releaseUser() {
        boolean last;
        synchronized (this) {
            last = --users == 0;
        }
        if (last) clear();
    }

    /** A snapshot of the VMAs in address order. */
    public synchronized List<Vma> vmas() { return new ArrayList<>(vmas.values()); }

    public long top() { return top; }

    // ---------------------------------------------------------------- mapping

    /**
     * Maps fresh zeroed anonymous memory. With {@code fixed}, replaces whatever was at
     * [addr, addr+len); otherwise {@code addr} is a hint.
     */
    public synchronized long mapAnonymous(long addr, long length, int prot, boolean shared, boolean fixed, String name) {
        long len = pageUp(length);
        if (length <= 0 || len <= 0) throw Errno.EINVAL.exception();
        long at = placement(addr, len, fixed);
        Chunk chunk = Chunk.allocate(len, shared);
        removeRange(at, at + len);
        vmas.put(at, new Vma(at, at + len, prot, shared, chunk, chunk.offset, name == null ? "" : name));
        generation++;
        return at;
    }

    /**
     * Maps {@code length} bytes of {@code mem} from {@code offset} on, shared (MAP_SHARED of a
     * file or of shared memory). Takes its own reference on the memory.
     */
    public synchronized long mapShared(long addr, long length, int prot, SharedMemory mem, long offset, boolean fixed, String name) {
        long len = pageUp(length);
        if (mem.chunk.host != null) throw new IllegalArgumentException("a host file is mapped only privately");
        if (length <= 0 || (offset & (PAGE - 1)) != 0 || offset < 0 || offset + len > mem.chunk.length) throw Errno.EINVAL.exception();
        long at = placement(addr, len, fixed);
        Chunk c = mem.chunk.retain();
        removeRange(at, at + len);
        vmas.put(at, new Vma(at, at + len, prot, true, c, c.offset + offset, name == null ? "" : name));
        generation++;
        return at;
    }

    /**
     * Maps {@code length} bytes of a file's cached pages {@code mem} from {@code offset} on as a
     * private mapping that shares them until written (see {@link Vma#copyOnWrite()}). With
     * PROT_WRITE the host maps it read-only all the same: the application's first write to it
     * faults and {@link #breakCopyOnWrite} copies the pages around it; a write by the Sentry
     * copies the pages it writes first. Takes its own reference on the memory.
     */
    public synchronized long mapFilePrivate(long addr, long length, int prot, SharedMemory mem, long offset, boolean fixed, String name) {
        long len = pageUp(length);
        if (length <= 0 || (offset & (PAGE - 1)) != 0 || offset < 0 || offset + len > mem.chunk.length) throw Errno.EINVAL.exception();
        long at = placement(addr, len, fixed);
        Chunk c = mem.chunk.retain();
        removeRange(at, at + len);
        Vma v = new Vma(at, at + len, prot, false, c, c.offset + offset, name == null ? "" : name, false, true);
        vmas.put(at, v);
        if (threaded && (prot & PROT_WRITE) != 0) privateCopy(v);
        generation++;
        return at;
    }

    /**
     * Marks [addr, addr+length) — the part of a file mapping past the file's last page — so that
     * any access raises SIGBUS, as Linux does.
     */
    public synchronized void markBeyondEof(long addr, long length) {
        if (length <= 0) return;
        long end = addr + pageUp(length);
        splitAt(addr);
        splitAt(end);
        for (Vma v : overlapping(addr, end)) {
            vmas.put(v.start(), v.withBusOnAccess());
        }
        generation++;
    }

    /**
     * For a word in shared memory, its offset in the memory file — the same for every process that
     * maps it — so shared futexes can meet; -1 for private memory. EFAULT when unmapped.
     */
    public synchronized long sharedOffset(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        if (e == null || e.getValue().end() <= addr) throw Errno.EFAULT.exception();
        Vma v = e.getValue();
        return v.shared() ? v.fileOffset() + (addr - v.start()) : -1;
    }

    /** The VMA covering {@code addr}, or null. */
    public synchronized Vma vmaAt(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        return e != null && e.getValue().end() > addr ? e.getValue() : null;
    }

    /** Maps part of an existing shared chunk (the caller's reference is taken over). */
    synchronized long mapChunk(long addr, long length, int prot, Chunk chunk, long fileOffset, boolean fixed, String name) {
        long len = pageUp(length);
        long at = placement(addr, len, fixed);
        removeRange(at, at + len);
        vmas.put(at, new Vma(at, at + len, prot, chunk.shared, chunk, fileOffset, name));
        generation++;
        return at;
    }

    private long placement(long addr, long len, boolean fixed) {
        if (fixed) {
            if ((addr & (PAGE - 1)) != 0) throw Errno.EINVAL.exception();
            if (!allowed(addr, len)) throw Errno.ENOMEM.exception();
            return addr;
        }
        if (addr != 0) {
            long hint = pageDown(addr);
            if (allowed(hint, len) && isFree(hint, hint + len)) return hint;
        }
        long found = findFreeTopDown(len);
        if (found < 0) throw Errno.ENOMEM.exception();
        return found;
    }

    private boolean allowed(long addr, long len) {
        long end = addr + len;
        if (addr < MIN_ADDR || end > top || end < addr) return false;
        return end <= reservedStart || addr >= reservedEnd;
    }

    private boolean isFree(long start, long end) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(end);
        return e == null || e.getValue().end() <= start;
    }

    private long findFreeTopDown(long len) {
        long gapEnd = Math.min(MMAP_BASE, top);
        for (Vma v : vmas.headMap(gapEnd, false).descendingMap().values()) {
            long found = fitInGap(v.end(), gapEnd, len);
            if (found >= 0) return found;
            gapEnd = Math.min(gapEnd, v.start());
        }
        return fitInGap(MIN_ADDR, gapEnd, len);
    }

    /** The highest page-aligned start in [gapStart, gapEnd) that fits len, avoiding the reserved range. */
    private long fitInGap(long gapStart, long gapEnd, long len) {
        if (gapEnd - gapStart < len) return -1;
        long candidate = pageDown(gapEnd - len);
        if (candidate < reservedEnd && candidate + len > reservedStart) candidate = pageDown(reservedStart - len);
        return candidate >= gapStart && allowed(candidate, len) ? candidate : -1;
    }

    /** munmap(2) semantics: unmapping nothing is fine. */
    public synchronized void unmap(long addr, long length) {
        if ((addr & (PAGE - 1)) != 0 || length <= 0) throw Errno.EINVAL.exception();
        long end = addr + pageUp(length);
        if (end < addr || end > top) throw Errno.EINVAL.exception();
        if (removeRange(addr, end)) {
            generation++;
            reclaim();
        }
        if (!locked.isEmpty()) unlock(addr, end);
    }

    /** Removes [start, end), splitting VMAs at its edges and releasing their memory. */
    private boolean removeRange(long start, long end) {
        boolean changed = false;
        Map.Entry<Long, Vma> e = vmas.lowerEntry(end);
        List<Vma> hit = new ArrayList<>();
        while (e != null && e.getValue().end() > start) {
            hit.add(e.getValue());
            e = vmas.lowerEntry(e.getKey());
        }
        for (Vma v : hit) {
            changed = true;
            vmas.remove(v.start());
            if (v.start() < start) {
                vmas.put(v.start(), v.slice(v.start(), start));
                v.chunk().retain();
            }
            if (v.end() > end) {
                vmas.put(end, v.slice(end, v.end()));
                v.chunk().retain();
            }
            long from = Math.max(v.start(), start), to = Math.min(v.end(), end);
            if (v.ownsPages()) mf.decommit(v.fileOffset() + (from - v.start()), to - from);
            releaseChunk(v.chunk());
        }
        return changed;
    }

    /** mprotect(2). */
    public synchronized void protect(long addr, long length, int prot) {
        if ((addr & (PAGE - 1)) != 0) throw Errno.EINVAL.exception();
        long end = addr + pageUp(length);
        if (end < addr) throw Errno.ENOMEM.exception();
        if (length == 0) return;
        // Every page must be mapped.
        long cursor = addr;
        for (Vma v : overlapping(addr, end)) {
            if (v.start() > cursor) throw Errno.ENOMEM.exception();
            cursor = v.end();
        }
        if (cursor < end) throw Errno.ENOMEM.exception();
        splitAt(addr);
        splitAt(end);
        for (Vma v : overlapping(addr, end)) {
            // A copy-on-write VMA stays one (the host keeps it read-only and writes copy on fault),
            // unless tasks share the space (see retainUser).
            Vma w = threaded && (prot & PROT_WRITE) != 0 && v.copyOnWrite() ? privateCopy(v) : v;
            vmas.put(w.start(), w.withProt(prot));
        }
        generation++;
    }

    /** Replaces a copy-on-write VMA by a private copy of its pages and returns the copy. */
    private Vma privateCopy(Vma v) {
        Chunk c = Chunk.copyOf(v.chunk(), v.fileOffset(), v.length());
        copyContent(v.chunk(), v.fileOffset(), c.offset, v.length());
        Vma copy = v.withChunk(v.start(), v.end(), c, c.offset, false, false);
        vmas.put(v.start(), copy);
        releaseChunk(v.chunk());
        generation++;
        return copy;
    }

    /** What an application write fault in a copy-on-write mapping copies: the aligned block around it (or less, at the VMA's ends). */
    static final long COPY_ON_WRITE_BLOCK = 16 * PAGE;

    /**
     * The application faulted at {@code addr}: if that is a write to a copy-on-write mapping that
     * allows writing (the host maps such pages read-only), copies the block of pages around it
     * into private memory and returns true, and the application retries its write once the
     * platform has synced its mappings. False for any other fault, which is the application's.
     */
    public synchronized boolean breakCopyOnWrite(long addr) {
        Vma v = vmaAt(addr);
        if (v == null || !v.copyOnWrite() || (v.prot() & PROT_WRITE) == 0 || v.busOnAccess()) return false;
        long from = Math.max(v.start(), addr & -COPY_ON_WRITE_BLOCK);
        long to = Math.min(v.end(), from + COPY_ON_WRITE_BLOCK);
        privatize(from, to);
        return true;
    }

    /** Copies every copy-on-write VMA overlapping [start, end) into private memory (the Sentry is about to write it). */
    private void privatize(long start, long end) {
        boolean any = false;
        for (Vma v : overlapping(start, end)) any |= v.copyOnWrite();
        if (!any) return;
        splitAt(start);
        splitAt(end);
        for (Vma v : overlapping(start, end)) if (v.copyOnWrite()) privateCopy(v);
    }

    private List<Vma> overlapping(long start, long end) {
        List<Vma> out = new ArrayList<>();
        Map.Entry<Long, Vma> first = vmas.lowerEntry(start + 1);
        Long from = first != null && first.getValue().end() > start ? first.getKey() : vmas.ceilingKey(start);
        if (from == null) return out;
        for (Vma v : vmas.tailMap(from, true).values()) {
            if (v.start() >= end) break;
            out.add(v);
        }
        return out;
    }

    private void splitAt(long addr) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(addr);
        if (e == null) return;
        Vma v = e.getValue();
        if (v.start() < addr && v.end() > addr) {
            vmas.put(v.start(), v.slice(v.start(), addr));
            vmas.put(addr, v.slice(addr, v.end()));
            v.chunk().retain();
        }
    }

    /** madvise(MADV_DONTNEED): private anonymous pages read as zero afterwards. */
    public synchronized void discard(long addr, long length) {
        long end = addr + pageUp(length);
        for (Vma v : overlapping(addr, end)) {
            if (!v.ownsPages()) continue; // shared, or still the file's pages: nothing of its own to drop
            long from = Math.max(v.start(), addr), to = Math.min(v.end(), end);
            long at = v.fileOffset() + (from - v.start());
            mf.decommit(at, to - from);
            Chunk origin = v.chunk().origin();
            // A copy of a private file mapping's pages reads the file again, as Linux serves a
            // dropped private page from the file: copied back in place, so that every thread's
            // stub sees it at once.
            if (origin != null) copyContent(origin, v.chunk().originOffset(at), at, to - from);
        }
    }

    /** True if every page of [addr, addr+len) is mapped. */
    public synchronized boolean isMapped(long addr, long length) {
        long end = addr + pageUp(length), cursor = pageDown(addr);
        for (Vma v : overlapping(cursor, end)) {
            if (v.start() > cursor) return false;
            cursor = v.end();
        }
        return cursor >= end;
    }

    /** mincore(2): one byte per page, 1 when the page has data in memory. */
    /**
     * Bytes of the memory file populated under this address space's mappings (VmRSS): found
     * range by range with SEEK_DATA/SEEK_HOLE, not page by page.
     */
    public synchronized long residentBytes() {
        long total = 0;
        for (Vma v : vmas.values()) {
            if (v.chunk().host != null) {
                // A host file's pages count whole: they are in the host's page cache once read.
                total += v.chunk().readable(v.fileOffset(), v.length());
                continue;
            }
            long pos = v.fileOffset(), end = v.fileOffset() + v.length();
            while (pos < end) {
                long data = Host.lseek(mf.fd(), pos, 3 /* SEEK_DATA */);
                if (data < 0 || data >= end) break;
                long hole = Host.lseek(mf.fd(), data, 4 /* SEEK_HOLE */);
                if (hole < 0 || hole > end) hole = end;
                total += hole - data;
                pos = hole;
            }
        }
        return total;
    }

    public synchronized byte[] residency(long addr, long length) {
        if ((addr & (PAGE - 1)) != 0) throw Errno.EINVAL.exception();
        if (!isMapped(addr, length)) throw Errno.ENOMEM.exception();
        int pages = (int) (pageUp(length) / PAGE);
        byte[] out = new byte[pages];
        for (int i = 0; i < pages; i++) {
            long a = addr + i * PAGE;
            Vma v = vmas.floorEntry(a).getValue();
            long off = v.fileOffset() + (a - v.start());
            if (v.chunk().host != null) {
                out[i] = (byte) (v.chunk().readable(off, 1) > 0 ? 1 : 0);
                continue;
            }
            long data = Host.lseek(mf.fd(), off, 3 /* SEEK_DATA */);
            out[i] = (byte) (data == off ? 1 : 0);
        }
        return out;
    }

    /** mremap(2) for anonymous memory. */
    public synchronized long remap(long oldAddr, long oldLength, long newLength, boolean mayMove, long fixedAddr, boolean fixed) {
        if ((oldAddr & (PAGE - 1)) != 0 || newLength <= 0) throw Errno.EINVAL.exception();
        long oldLen = pageUp(oldLength), newLen = pageUp(newLength);
        Map.Entry<Long, Vma> e = vmas.floorEntry(oldAddr);
        if (e == null || e.getValue().end() < oldAddr + oldLen || e.getValue().end() <= oldAddr) throw Errno.EFAULT.exception();
        Vma v = e.getValue();
        if (!fixed && newLen <= oldLen) {
            if (newLen < oldLen) removeRange(oldAddr + newLen, oldAddr + oldLen);
            generation++;
            return oldAddr;
        }
        long src = v.fileOffset() + (oldAddr - v.start());
        long copyLen = Math.min(oldLen, newLen);
        long target;
        if (fixed) {
            if (!mayMove) throw Errno.EINVAL.exception();
            target = placement(fixedAddr, newLen, true);
        } else if (allowed(oldAddr, newLen) && isFree(oldAddr + oldLen, oldAddr + newLen)) {
            target = oldAddr; // grow in place
        } else if (mayMove) {
            target = placement(0, newLen, false);
        } else {
            throw Errno.ENOMEM.exception();
        }
        if (v.shared()) {
            if (newLen > v.chunk().length - (src - v.chunk().offset)) throw Errno.ENOMEM.exception();
            Chunk c = v.chunk().retain();
            Vma moved = v.withChunk(target, target + newLen, c, src, true, false);
            removeRange(oldAddr, oldAddr + oldLen);
            removeRange(target, target + newLen);
            vmas.put(target, moved);
        } else {
            Chunk c = Chunk.allocate(newLen, false);
            copyContent(v.chunk(), src, c.offset, copyLen);
            Vma moved = v.withChunk(target, target + newLen, c, c.offset, false, false);
            removeRange(oldAddr, oldAddr + oldLen);
            removeRange(target, target + newLen);
            vmas.put(target, moved);
        }
        generation++;
        return target;
    }

    // ---------------------------------------------------------------- brk

    /** Sets where brk starts (after the loaded program's data) and clears the heap. */
    public synchronized void initBrk(long start) {
        brkStart = pageUp(start);
        brk = start;
    }

    /** brk(2): returns the new break, or the old one when the request cannot be met. */
    public synchronized long brk(long requested) {
        if (requested == 0 || requested < brkStart) return brk;
        long oldTop = pageUp(brk), newTop = pageUp(requested);
        if (newTop > oldTop) {
            if (!allowed(oldTop, newTop - oldTop) || !isFree(oldTop, newTop)) return brk;
            Chunk chunk = Chunk.allocate(newTop - oldTop, false);
            vmas.put(oldTop, new Vma(oldTop, newTop, PROT_READ | PROT_WRITE, false, chunk, chunk.offset, "[heap]"));
            generation++;
        } else if (newTop < oldTop) {
            removeRange(newTop, oldTop);
            generation++;
        }
        brk = requested;
        return brk;
    }

    public synchronized long brkStart() { return brkStart; }

    /**
     * Bytes mapped outside [exceptStart, exceptEnd) (a MAP_FIXED mapping's target, which it
     * replaces), in all and as data — private writable memory other than the stack — for
     * RLIMIT_AS and RLIMIT_DATA (mm/mmap.c: total_vm and data_vm).
     */
    public synchronized long[] usage(long exceptStart, long exceptEnd) {
        long total = 0, data = 0;
        for (Vma v : vmas.values()) {
            long n = v.length() - Math.max(0, Math.min(v.end(), exceptEnd) - Math.max(v.start(), exceptStart));
            total += n;
            if (!v.shared() && (v.prot() & PROT_WRITE) != 0 && !"[stack]".equals(v.name())) data += n;
        }
        return new long[] {total, data};
    }

    // ---------------------------------------------------------------- mlock

    /** Locked ranges (mlock(2)), disjoint: start -> end. Nothing is ever swapped; they count against RLIMIT_MEMLOCK. */
    private final TreeMap<Long, Long> locked = new TreeMap<>();

    /** Bytes of [start, end) already locked. */
    private long lockedIn(long start, long end) {
        long n = 0;
        for (Map.Entry<Long, Long> e : locked.entrySet()) {
            n += Math.max(0, Math.min(e.getValue(), end) - Math.max(e.getKey(), start));
        }
        return n;
    }

    /** Bytes locked in all (VmLck). */
    public synchronized long lockedBytes() {
        return lockedIn(0, Long.MAX_VALUE);
    }

    /**
     * mlock(2) of [start, end), page-aligned and mapped: ENOMEM when the locked total would pass
     * {@code limit} (unsigned; the caller passes RLIM_INFINITY for a task with CAP_IPC_LOCK).
     */
    public synchronized void lock(long start, long end, long limit) {
        long total = lockedBytes() + (end - start) - lockedIn(start, end);
        if (Long.compareUnsigned(total, limit) > 0) throw Errno.ENOMEM.exception();
        unlock(start, end);
        locked.put(start, end);
    }

    /** munlock(2) of [start, end). */
    public synchronized void unlock(long start, long end) {
        Map.Entry<Long, Long> before = locked.lowerEntry(start);
        if (before != null && before.getValue() > start) {
            locked.put(before.getKey(), start);
            if (before.getValue() > end) locked.put(end, before.getValue());
        }
        for (Long k : new ArrayList<>(locked.subMap(start, true, end, false).keySet())) {
            long e = locked.remove(k);
            if (e > end) locked.put(end, e);
        }
    }

    /** mlockall(MCL_CURRENT): every mapping, within {@code limit}. */
    public synchronized void lockAll(long limit) {
        long total = 0;
        for (Vma v : vmas.values()) total += v.length();
        if (Long.compareUnsigned(total, limit) > 0) throw Errno.ENOMEM.exception();
        locked.clear();
        for (Vma v : vmas.values()) locked.put(v.start(), v.end());
    }

    /** munlockall(2). */
    public synchronized void unlockAll() {
        locked.clear();
    }

    // ---------------------------------------------------------------- fork and teardown

    /** A copy for fork(2): private memory is copied (only its populated pages), shared memory is shared. */
    public synchronized AddressSpace fork() {
        AddressSpace child = new AddressSpace(top, reservedStart, reservedEnd);
        child.brkStart = brkStart;
        child.brk = brk;
        for (Vma v : vmas.values()) {
            if (!v.ownsPages()) {
                // Shared memory, or a file's pages not yet copied: the child maps the same ones.
                child.vmas.put(v.start(), v.withChunk(v.start(), v.end(), v.chunk().retain(), v.fileOffset(), v.shared(), v.copyOnWrite()));
            } else {
                Chunk o = v.chunk().origin();
                Chunk c = o != null ? Chunk.copyOf(o, v.chunk().originOffset(v.fileOffset()), v.length()) : Chunk.allocate(v.length(), false);
                copySparse(v.fileOffset(), c.offset, v.length());
                child.vmas.put(v.start(), v.withChunk(v.start(), v.end(), c, c.offset, false, false));
            }
        }
        child.generation = 1;
        return child;
    }

    /**
     * Copies {@code len} bytes of {@code src}'s content from file offset {@code from} into the
     * memory file at {@code to}: for memory-file pages only the populated parts, for a host file
     * what it holds (the rest of the last page stays zero).
     */
    private void copyContent(Chunk src, long from, long to, long len) {
        if (src.host == null) {
            copySparse(from, to, len);
            return;
        }
        long n = src.readable(from, len);
        if (n > 0) MemorySegment.copy(src.base(), from, mem, to, n);
    }

    /** Copies the populated parts of a memory-file range, leaving holes as holes. */
    private void copySparse(long from, long to, long len) {
        long end = from + len, pos = from;
        while (pos < end) {
            long data = Host.lseek(mf.fd(), pos, 3 /* SEEK_DATA */);
            if (data < 0 || data >= end) break;
            long hole = Host.lseek(mf.fd(), data, 4 /* SEEK_HOLE */);
            if (hole < 0 || hole > end) hole = end;
            MemorySegment.copy(mem, data, mem, to + (data - from), hole - data);
            pos = hole;
        }
    }

    /** Drops every mapping (exit, execve). */
    public synchronized void clear() {
        for (Vma v : vmas.values()) {
            if (v.ownsPages()) mf.decommit(v.fileOffset(), v.length());
            v.chunk().release();
        }
        for (Buried b : graveyard) b.chunk().release();
        graveyard.clear();
        vmas.clear();
        locked.clear();
        brk = brkStart = 0;
        generation++;
    }

    // ---------------------------------------------------------------- copy in / copy out

    /**
     * The VMA holding application address {@code addr}, checking access: the bytes are at
     * {@code v.fileOffset() + (addr - v.start())} in {@code v.chunk().base()}, up to {@code v.end()}.
     */
    private Vma access(long addr, int need) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        if (e == null) throw Errno.EFAULT.exception();
        Vma v = e.getValue();
        if (addr >= v.end() || (v.prot() & need) != need || (v.busOnAccess() && need != 0)) throw Errno.EFAULT.exception();
        return v;
    }

    /** EFAULT unless every byte of [addr, addr+len) is mapped with {@code write} or read access. */
    public synchronized void checkAccess(long addr, long len, boolean write) {
        if (len <= 0) return;
        if (addr + len < addr) throw Errno.EFAULT.exception();
        int need = write ? PROT_WRITE : PROT_READ;
        long cursor = addr, end = addr + len;
        while (cursor < end) {
            cursor = access(cursor, need).end();
        }
    }

    /** Copies application memory into {@code dst}; EFAULT if any byte is unreadable. */
    public synchronized void read(long addr, byte[] dst, int off, int len) {
        long done = 0;
        while (done < len) {
            long a = addr + done;
            Vma v = access(a, PROT_READ);
            long n = Math.min(len - done, v.end() - a);
            MemorySegment.copy(v.chunk().base(), ValueLayout.JAVA_BYTE, v.fileOffset() + (a - v.start()), dst, (int) (off + done), (int) n);
            done += n;
        }
    }

    public byte[] read(long addr, int len) {
        byte[] b = new byte[len];
        read(addr, b, 0, len);
        return b;
    }

    /** Copies {@code src} into application memory; EFAULT if any byte is unwritable. */
    public synchronized void write(long addr, byte[] src, int off, int len) {
        writeChecked(addr, src, off, len, PROT_WRITE);
    }

    /**
     * The VMA to write at {@code addr}, checked for {@code need}: a copy-on-write one has the
     * pages the write reaches, up to {@code end}, copied into private memory first.
     */
    private Vma writable(long addr, long end, int need) {
        Vma v = access(addr, need);
        if (!v.copyOnWrite()) return v;
        privatize(pageDown(addr), Math.min(v.end(), pageUp(end)));
        return access(addr, need);
    }

    /** Copies {@code len} bytes of a Sentry-side segment into application memory (checked for write). */
    public synchronized void write(long addr, MemorySegment src, long srcOffset, long len) {
        long done = 0;
        while (done < len) {
            long a = addr + done;
            Vma v = writable(a, addr + len, PROT_WRITE);
            long n = Math.min(len - done, v.end() - a);
            MemorySegment.copy(src, srcOffset + done, mem, v.fileOffset() + (a - v.start()), n);
            done += n;
        }
    }

    /** Writes ignoring protection, as the kernel does when it loads a program or builds a stack. */
    public synchronized void writeForce(long addr, byte[] src, int off, int len) {
        if (len > 0 && addr + len > addr) privatize(pageDown(addr), pageUp(addr + len));
        writeChecked(addr, src, off, len, 0);
    }

    private void writeChecked(long addr, byte[] src, int off, int len, int need) {
        long done = 0;
        while (done < len) {
            long a = addr + done;
            Vma v = writable(a, addr + len, need);
            long n = Math.min(len - done, v.end() - a);
            MemorySegment.copy(src, (int) (off + done), mem, ValueLayout.JAVA_BYTE, v.fileOffset() + (a - v.start()), (int) n);
            done += n;
        }
    }

    /** Fills application memory with zeros (checked for write). */
    public synchronized void zero(long addr, long len) {
        long done = 0;
        while (done < len) {
            long a = addr + done;
            Vma v = writable(a, addr + len, PROT_WRITE);
            long n = Math.min(len - done, v.end() - a);
            mem.asSlice(v.fileOffset() + (a - v.start()), n).fill((byte) 0);
            done += n;
        }
    }

    public long readLong(long addr) {
        byte[] b = read(addr, 8);
        return bytesToLong(b, 0);
    }

    public int readInt(long addr) {
        byte[] b = read(addr, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    public void writeLong(long addr, long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        write(addr, b, 0, 8);
    }

    public void writeInt(long addr, int v) {
        write(addr, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)}, 0, 4);
    }

    static long bytesToLong(byte[] b, int o) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[o + i] & 0xff);
        return v;
    }

    /**
     * Reads a NUL-terminated string of at most {@code max} bytes (excluding the NUL).
     * ENAMETOOLONG when longer, EFAULT when unreadable.
     */
    public synchronized String readString(long addr, int max) {
        byte[] buf = new byte[Math.min(max + 1, 256)];
        int n = 0;
        long a = addr;
        while (true) {
            Vma v = access(a, PROT_READ);
            MemorySegment base = v.chunk().base();
            long fo = v.fileOffset() + (a - v.start());
            long run = Math.min(v.end() - a, max + 1L - n);
            // Copied a block at a time and scanned in the array: one bulk copy costs what a
            // single native byte read does, and paths are read on most syscalls.
            while (run > 0) {
                int block = (int) Math.min(run, 256);
                if (n + block > buf.length) buf = java.util.Arrays.copyOf(buf, Math.min(Math.max(buf.length * 2, n + block), max + 1));
                MemorySegment.copy(base, ValueLayout.JAVA_BYTE, fo, buf, n, block);
                for (int i = n; i < n + block; i++) {
                    if (buf[i] == 0) return new String(buf, 0, i, StandardCharsets.UTF_8);
                }
                n += block;
                fo += block;
                a += block;
                run -= block;
            }
            if (n > max) throw Errno.ENAMETOOLONG.exception();
        }
    }

    /** Reads a NULL-terminated array of string pointers (argv, envp). */
    public List<String> readStringArray(long addr, int maxCount, int maxTotal) {
        List<String> out = new ArrayList<>();
        if (addr == 0) return out;
        int total = 0;
        for (int i = 0; ; i++) {
            if (i >= maxCount) throw Errno.E2BIG.exception();
            long p = readLong(addr + 8L * i);
            if (p == 0) return out;
            String s = readString(p, maxTotal);
            total += s.length() + 1;
            if (total > maxTotal) throw Errno.E2BIG.exception();
            out.add(s);
        }
    }

    public static long pageUp(long v) { return (v + PAGE - 1) & -PAGE; }

    public static long pageDown(long v) { return v & -PAGE; }
}
