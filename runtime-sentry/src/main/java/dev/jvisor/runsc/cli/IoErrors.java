package dev.jvisor.runsc.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason of an I/O failure in the words of strerror(3). Java's file exceptions carry the
 * path as their message, so "cannot write /x: /x" is what printing them naively gives.
 */
public final class IoErrors {
    private IoErrors() {}

    public static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException ignored -> "no such file or directory";
            case AccessDeniedException ignored -> "permission denied";
            case FileAlreadyExistsException ignored -> "file exists";
            case NotDirectoryException ignored -> "not a directory";
            case DirectoryNotEmptyException ignored -> "directory not empty";
            case FileSystemException fs when fs.getReason() != null -> fs.getReason();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
