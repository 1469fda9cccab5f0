package dev.jvisor.behaviour;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The directories one run of one case uses: a fresh rootfs (a sandbox may write into it, so
 * runs never share one) and a working directory, both removed afterwards.
 */
final class CaseEnvironment implements AutoCloseable {
    private final Path base;
    private final Path rootfs;
    private final Path workDir;

    private CaseEnvironment(Path base) throws IOException {
        this.base = base;
        this.rootfs = BusyboxRootfs.build(Files.createDirectory(base.resolve("rootfs")));
        this.workDir = Files.createDirectory(base.resolve("work"));
    }

    static CaseEnvironment create() {
        try {
            return new CaseEnvironment(Files.createTempDirectory("jvisor-behaviour-"));
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot create a case directory", e);
        }
    }

    Path rootfs() {
        return rootfs;
    }

    Path workDir() {
        return workDir;
    }

    Outcome run(Mode mode, Invocation invocation) {
        return ModeRunner.run(mode, invocation, rootfs, workDir);
    }

    @Override
    public void close() {
        try {
            Files.walkFileTree(base, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new BehaviourSetupException("cannot remove " + base, e);
        }
    }
}
