package dev.jvisor.gofer;

import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every escape attempt again, against the Gofer as it really runs: a confined child process. */
class ConfinedGoferEscapeTest extends GoferEscapeTest {
    @Override
    GoferUnderTest start(List<MountPoint> mounts) throws Exception {
        assumeTrue(Native.geteuid() == 0, "needs root: pidfd_getfd and chroot");
        return new ConfinedGofer(mounts, tmp.resolve("gofer-" + System.nanoTime() + ".log"));
    }
}
