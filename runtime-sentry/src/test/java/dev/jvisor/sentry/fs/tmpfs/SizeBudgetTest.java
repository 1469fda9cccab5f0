package dev.jvisor.sentry.fs.tmpfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvisor.abi.linux.Errno;
import dev.jvisor.abi.linux.ErrnoException;
import dev.jvisor.abi.linux.MountAbi;
import dev.jvisor.sentry.vfs.DirInode;
import dev.jvisor.sentry.vfs.FileSystem;
import org.junit.jupiter.api.Test;

/** A tmpfs's size= limit: files take whole pages from one budget and give them back. */
class SizeBudgetTest {
    private static final int PAGE = 4096;

    @Test
    void writesPastTheLimitAreShortThenFailWithEnospc() {
        FileSystem fs = Tmpfs.newFileSystem("tmpfs", MountAbi.TMPFS_MAGIC, false, 4 * PAGE);
        RegularInode a = new RegularInode(fs, 0644, 0, 0);
        byte[] chunk = new byte[3 * PAGE];
        assertThat(a.data().write(0, chunk, 0, chunk.length)).isEqualTo(3 * PAGE);
        RegularInode b = new RegularInode(fs, 0644, 0, 0);
        // One page is left: a short write, then nothing.
        assertThat(b.data().write(0, chunk, 0, chunk.length)).isEqualTo(PAGE);
        assertThatThrownBy(() -> b.data().write(PAGE, chunk, 0, 1))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        // Overwriting what a file already holds needs no more room.
        assertThat(a.data().write(0, chunk, 0, PAGE)).isEqualTo(PAGE);
        assertThat(((TmpfsFileSystem) fs).budget().used()).isEqualTo(4L * PAGE);
    }

    @Test
    void truncateAndTheLastUnlinkGiveRoomBack() {
        FileSystem fs = Tmpfs.newFileSystem("tmpfs", MountAbi.TMPFS_MAGIC, false, 2 * PAGE);
        SizeBudget budget = ((TmpfsFileSystem) fs).budget();
        DirInode dir = new DirInode(fs, 0777, 0, 0);
        RegularInode f = new RegularInode(fs, 0644, 0, 0);
        dir.link("f", f);
        f.data().write(0, new byte[2 * PAGE], 0, 2 * PAGE);
        assertThat(budget.used()).isEqualTo(2L * PAGE);
        f.truncate(PAGE / 2);
        assertThat(budget.used()).isEqualTo(PAGE);
        dir.unlink("f");
        assertThat(budget.used()).isZero();
        RegularInode g = new RegularInode(fs, 0644, 0, 0);
        assertThat(g.data().write(0, new byte[2 * PAGE], 0, 2 * PAGE)).isEqualTo(2 * PAGE);
        // Growing by truncate takes room too, and is refused past the limit.
        assertThatThrownBy(() -> g.truncate(3L * PAGE))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        assertThat(g.size()).isEqualTo(2L * PAGE);
    }

    @Test
    void aTmpfsWithoutSizeHasNoLimit() {
        RegularInode f = new RegularInode(Tmpfs.newFileSystem(false), 0644, 0, 0);
        assertThat(f.data().write(0, new byte[1 << 20], 0, 1 << 20)).isEqualTo(1 << 20);
    }
}
