package dev.jvisor.gofer;

import dev.jvisor.abi.Errno;
import dev.jvisor.abi.ErrnoException;
import dev.jvisor.p9.LockConstants;
import dev.jvisor.p9.Rmessage;

/**
 * POSIX record locks for Tlock/Tgetlock, as open-file-description locks on the fid's open
 * descriptor: each fid is its own lock owner, like each open file in the sandbox.
 */
final class HostLocks {
    // fcntl commands for open file description locks, <asm-generic/fcntl.h>.
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;

    private HostLocks() {}

    static int lock(int fd, int type, long start, long length) throws ErrnoException {
        checkType(type);
        try {
            // Never F_OFD_SETLKW: a blocked lock would hold a worker; 9P clients retry on BLOCKED.
            Native.fcntlLock(fd, F_OFD_SETLK, type, start, length);
            return LockConstants.LOCK_SUCCESS;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN || e.errno() == Errno.EACCES) {
                return LockConstants.LOCK_BLOCKED;
            }
            throw e;
        }
    }

    static Rmessage.GetLock getlock(int fd, int type, long start, long length, int procId, String clientId)
            throws ErrnoException {
        checkType(type);
        long[] conflict = Native.fcntlLock(fd, F_OFD_GETLK, type, start, length);
        if (conflict[0] == LockConstants.TYPE_UNLCK) {
            return new Rmessage.GetLock(LockConstants.TYPE_UNLCK, start, length, procId, clientId);
        }
        return new Rmessage.GetLock((int) conflict[0], conflict[1], conflict[2], (int) conflict[3], "");
    }

    private static void checkType(int type) throws ErrnoException {
        // 9P lock types equal the fcntl ones (F_RDLCK 0, F_WRLCK 1, F_UNLCK 2).
        if (type != LockConstants.TYPE_RDLCK && type != LockConstants.TYPE_WRLCK && type != LockConstants.TYPE_UNLCK) {
            throw new ErrnoException(Errno.EINVAL, "lock");
        }
    }
}
