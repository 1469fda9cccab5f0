package dev.jvisor.p9;

import dev.jvisor.abi.ErrnoException;

/** What a {@link P9Server} serves: the trees a client can attach to. */
public interface FileServer {
    /**
     * The root of the tree named {@code aname} for a new connection fid.
     *
     * @throws ErrnoException ENOENT when there is no such tree
     */
    FileNode attach(String uname, String aname, int nUname) throws ErrnoException;
}
