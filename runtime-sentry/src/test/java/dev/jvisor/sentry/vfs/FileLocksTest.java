package dev.jvisor.sentry.vfs;

import static dev.jvisor.sentry.vfs.FileLocks.F_RDLCK;
import static dev.jvisor.sentry.vfs.FileLocks.F_UNLCK;
import static dev.jvisor.sentry.vfs.FileLocks.F_WRLCK;
import static dev.jvisor.sentry.vfs.FileLocks.TO_END;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import org.junit.jupiter.api.Test;

/**
 * The range logic of record locks, which the behaviour program locks.c checks end to end against
 * Linux: one owner's locks merge when they touch and share a type, an unlock or a lock of the
 * other type splits them, and only another owner's overlapping lock conflicts.
 */
class FileLocksTest {
    private final FileLocks locks = new FileLocks();
    private final Object me = new Object(), other = new Object();

    /** What another owner's write lock over [start, end) would run into, as "type start end". */
    private String blocker(long start, long end) {
        FileLocks.Record r = locks.conflict(other, F_WRLCK, start, end);
        return r == null ? "none" : (r.type() == F_WRLCK ? "W " : "R ") + r.start() + " " + r.end();
    }

    @Test
    void touchingLocksOfOneTypeMergeAndAnUnlockSplitsThem() {
        assertThat(locks.trySet(me, 1, F_WRLCK, 0, 10)).isTrue();
        assertThat(locks.trySet(me, 1, F_WRLCK, 10, 20)).isTrue();
        assertThat(blocker(15, 16)).isEqualTo("W 0 20");
        assertThat(locks.trySet(me, 1, F_UNLCK, 5, 8)).isTrue();
        assertThat(blocker(0, TO_END)).isEqualTo("W 0 5");
        assertThat(blocker(5, 8)).isEqualTo("none");
        assertThat(blocker(6, TO_END)).isEqualTo("W 8 20");
    }

    @Test
    void aLockOfTheOtherTypeReplacesThatPartOnly() {
        locks.trySet(me, 1, F_RDLCK, 0, 100);
        locks.trySet(me, 1, F_WRLCK, 40, 60);
        assertThat(blocker(0, 1)).isEqualTo("R 0 40");
        assertThat(blocker(50, 51)).isEqualTo("W 40 60");
        assertThat(blocker(99, 100)).isEqualTo("R 60 100");
        // another owner may share the read parts, not the written one
        assertThat(locks.trySet(other, 2, F_RDLCK, 0, 40)).isTrue();
        assertThat(locks.trySet(other, 2, F_RDLCK, 50, 51)).isFalse();
    }

    @Test
    void releasingAnOwnerFreesItsRanges() {
        locks.trySet(me, 1, F_WRLCK, 0, TO_END);
        assertThat(locks.trySet(other, 2, F_RDLCK, 5, 6)).isFalse();
        locks.releaseRecords(me);
        assertThat(locks.trySet(other, 2, F_RDLCK, 5, 6)).isTrue();
    }

    @Test
    void aWaitThatClosesACycleIsADeadlock() {
        Object a = new Object(), b = new Object(), c = new Object();
        try {
            FileLocks.startWaiting(a, b);
            FileLocks.startWaiting(b, c);
            assertThatThrownBy(() -> FileLocks.startWaiting(c, a))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EDEADLK));
        } finally {
            FileLocks.doneWaiting(a);
            FileLocks.doneWaiting(b);
            FileLocks.doneWaiting(c);
        }
    }

    @Test
    void flockIsPerDescriptionAndConvertsInPlace() {
        OpenFile x = new OpenFile(null, "x", 0) {}, y = new OpenFile(null, "y", 0) {};
        assertThat(locks.tryFlock(x, F_RDLCK)).isTrue();
        assertThat(locks.tryFlock(y, F_RDLCK)).isTrue();
        assertThat(locks.tryFlock(x, F_WRLCK)).isFalse();
        assertThat(locks.tryFlock(y, F_UNLCK)).isTrue();
        assertThat(locks.tryFlock(x, F_WRLCK)).isTrue();
        assertThat(locks.tryFlock(y, F_RDLCK)).isFalse();
        locks.lastClose(x);
        assertThat(locks.tryFlock(y, F_WRLCK)).isTrue();
    }
}
