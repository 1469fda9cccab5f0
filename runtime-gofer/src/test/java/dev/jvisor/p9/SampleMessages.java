package dev.jvisor.p9;

import dev.jvisor.abi.Errno;

import java.util.List;

/** One instance of every message, with field values that exercise the full width of each field. */
final class SampleMessages {
    private SampleMessages() {}

    static final Qid DIR = new Qid(Qid.QTDIR, 7, 0x0102030405060708L);
    static final Qid FILE = new Qid(Qid.QTFILE, -1, -2L);
    static final Qid LINK = new Qid(Qid.QTSYMLINK, 0, 42);

    static List<Tmessage> requests() {
        return List.of(
                new Tmessage.Version(65536, "9P2000.L"),
                new Tmessage.Attach(1, Message.NOFID, "root", "/", 0),
                new Tmessage.Walk(1, 2, List.of("usr", "lib", "ünïcødé")),
                new Tmessage.Walk(1, 2, List.of()),
                new Tmessage.Lopen(2, 0x8002),
                new Tmessage.Lcreate(2, "new", 0x42, 0644, 1000),
                new Tmessage.Read(2, Long.MAX_VALUE, -1),
                new Tmessage.Write(2, 4096, new byte[] {0, 1, 2, (byte) 0xFF}),
                new Tmessage.Clunk(2),
                new Tmessage.Remove(3),
                new Tmessage.Getattr(2, Attr.GETATTR_ALL),
                new Tmessage.Setattr(2, new SetattrRequest(0x1FF, 0755, 1, 2, 1L << 40, 3, 4, 5, 6)),
                new Tmessage.Readdir(2, 0x7FFF_FFFF_FFFF_FFFFL, 8192),
                new Tmessage.Mkdir(1, "d", 0755, 0),
                new Tmessage.Mknod(1, "fifo", 0x1000 | 0644, 0, 0, 0),
                new Tmessage.Symlink(1, "l", "../target", 0),
                new Tmessage.Link(1, 2, "hard"),
                new Tmessage.Readlink(4),
                new Tmessage.Renameat(1, "a", 5, "b"),
                new Tmessage.Unlinkat(1, "gone", 0x200),
                new Tmessage.Statfs(1),
                new Tmessage.Fsync(2, 1),
                new Tmessage.Flush(0xFFFE),
                new Tmessage.XattrWalk(2, 6, "user.x"),
                new Tmessage.XattrCreate(2, "user.y", 10, 1),
                new Tmessage.Lock(2, 1, 1, 0, 100, 1234, "host"),
                new Tmessage.GetLock(2, 0, 10, 20, 99, "client"),
                new Tmessage.DonateFd(0xFFFF_FFFE),
                new Tmessage.DonateFd(3, Tmessage.DonateFd.RELEASE),
                new Tmessage.Listdir(2, 0x7FFF_FFFF_FFFF_FFFFL, 8192),
                new Tmessage.WalkGetattr(1, 4, Attr.GETATTR_BASIC | Tmessage.WalkGetattr.ONLY_DIRS_AND_FILES, List.of("l")),
                new Tmessage.WalkGetattr(1, 2, Attr.GETATTR_BASIC, List.of("usr", "bin")),
                new Tmessage.WalkGetattr(1, 3, 0, List.of()));
    }

    static List<Rmessage> replies() {
        return List.of(
                new Rmessage.Lerror(Errno.ENOENT),
                new Rmessage.Lerror(Errno.EHWPOISON),
                new Rmessage.Version(8192, "9P2000.L"),
                new Rmessage.Attach(DIR),
                new Rmessage.Walk(List.of(DIR, FILE, LINK)),
                new Rmessage.Walk(List.of()),
                new Rmessage.Lopen(FILE, 65536),
                new Rmessage.Lcreate(FILE, 4096),
                new Rmessage.Read(new byte[] {9, 8, 7}),
                new Rmessage.Read(new byte[0]),
                new Rmessage.Write(3),
                new Rmessage.Clunk(),
                new Rmessage.Remove(),
                new Rmessage.Getattr(new Attr(Attr.GETATTR_BASIC, FILE, 0x81A4, 1000, 1000, 1, 0, 12, 4096, 8,
                        1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
                new Rmessage.Setattr(),
                new Rmessage.Readdir(List.of(new DirEntry(DIR, 1, DirEntry.DT_DIR, "sub"),
                        new DirEntry(FILE, 2, DirEntry.DT_REG, "f"), new DirEntry(LINK, 3, DirEntry.DT_LNK, "l"))),
                new Rmessage.Readdir(List.of()),
                new Rmessage.Listdir(List.of(new DirEntry(DIR, 1, DirEntry.DT_DIR, "sub"))),
                new Rmessage.Listdir(List.of()),
                new Rmessage.Mkdir(DIR),
                new Rmessage.Mknod(FILE),
                new Rmessage.Symlink(LINK),
                new Rmessage.Link(),
                new Rmessage.Readlink("/some/where"),
                new Rmessage.Renameat(),
                new Rmessage.Unlinkat(),
                new Rmessage.Statfs(new StatFs(0xEF53, 4096, 1000, 500, 400, 100, 50, 0x1234, 255)),
                new Rmessage.Fsync(),
                new Rmessage.Flush(),
                new Rmessage.XattrWalk(12),
                new Rmessage.XattrCreate(),
                new Rmessage.Lock(LockConstants.LOCK_BLOCKED),
                new Rmessage.GetLock(1, 0, 100, 4321, "other"),
                new Rmessage.DonateFd(Long.MAX_VALUE, -1),
                new Rmessage.WalkGetattr(List.of(DIR, FILE), new Attr(Attr.GETATTR_BASIC, FILE, 0x81A4, 1000, 1000, 1, 0,
                        12, 4096, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ""),
                new Rmessage.WalkGetattr(List.of(DIR, LINK), new Attr(Attr.GETATTR_BASIC, LINK, 0xA1FF, 0, 0, 1, 0,
                        11, 4096, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), "../lib/ünï"),
                new Rmessage.WalkGetattr(List.of(DIR), null, ""));
    }
}
