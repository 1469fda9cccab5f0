package dev.jvisor.sentry.kernel;

/** Unwinds a task's syscall when the task must stop running application code (exit, fatal exec failure). */
public final class TaskExit extends RuntimeException {
    public static final TaskExit INSTANCE = new TaskExit();

    private TaskExit() {
        super("task exit", null, false, false);
    }
}
