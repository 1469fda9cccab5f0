package dev.jvisor.abi.linux;

/**
 * Host AF_UNIX sockets as the runtime uses them for its own control channel (not the sandbox's
 * emulated sockets): numbers and struct layouts for x86-64.
 */
public final class UnixSocketAbi {
    private UnixSocketAbi() {}

    /** include/linux/socket.h: AF_UNIX; include/linux/net.h: SOCK_STREAM; SOCK_CLOEXEC = O_CLOEXEC. */
    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;
    /** include/uapi/asm-generic/socket.h. */
    public static final int SOL_SOCKET = 1, SO_PEERCRED = 17, SO_RCVTIMEO_OLD = 20, SO_SNDTIMEO_OLD = 21;
    /** include/linux/socket.h: SCM_RIGHTS; MSG_* flags of sendmsg/recvmsg. */
    public static final int SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CTRUNC = 0x8, MSG_CMSG_CLOEXEC = 0x40000000;
    /** include/uapi/linux/net.h (shutdown how): SHUT_RDWR. */
    public static final int SHUT_RDWR = 2;
    /** include/linux/socket.h: SOMAXCONN. */
    public static final int SOMAXCONN = 4096;

    /** include/uapi/linux/un.h: struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }. */
    public static final int SOCKADDR_UN_SIZE = 110, SUN_PATH_OFFSET = 2, SUN_PATH_MAX = 108;
    /** include/linux/socket.h: struct msghdr (user ABI, 56 bytes) field offsets. */
    public static final int MSGHDR_SIZE = 56, MSG_NAME = 0, MSG_NAMELEN = 8, MSG_IOV = 16, MSG_IOVLEN = 24,
            MSG_CONTROL = 32, MSG_CONTROLLEN = 40, MSG_FLAGS = 48;
    /** include/uapi/linux/uio.h: struct iovec { void *iov_base; size_t iov_len; }. */
    public static final int IOVEC_SIZE = 16;
    /** include/linux/socket.h: struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } and CMSG_ALIGN(8). */
    public static final int CMSGHDR_SIZE = 16, CMSG_LEN = 0, CMSG_LEVEL = 8, CMSG_TYPE = 12;
    /** include/linux/socket.h: struct ucred { pid_t pid; uid_t uid; gid_t gid; }. */
    public static final int UCRED_SIZE = 12;
    /** include/uapi/linux/time_types.h: struct __kernel_old_timeval { long tv_sec; long tv_usec; }. */
    public static final int TIMEVAL_SIZE = 16;

    /** CMSG_SPACE(n) for x86-64 (8-byte alignment). */
    public static int cmsgSpace(int dataBytes) {
        return CMSGHDR_SIZE + ((dataBytes + 7) & ~7);
    }
}
