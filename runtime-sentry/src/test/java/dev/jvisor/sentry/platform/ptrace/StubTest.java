package dev.jvisor.sentry.platform.ptrace;

import dev.jvisor.sentry.mm.AddressSpace;
import dev.jvisor.sentry.platform.Registers;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The stub holds an address space, traps every application syscall, and dies on a raw one. */
class StubTest {
    /** mov eax, 39 (getpid); syscall; mov eax, 60 (exit); syscall */
    private static final byte[] GETPID_THEN_EXIT = {(byte) 0xb8, 39, 0, 0, 0, 0x0f, 0x05, (byte) 0xb8, 60, 0, 0, 0, 0x0f, 0x05};
    private static final long CODE = 0x400000;

    private Registers runAt(PtraceContext ctx, long rip) {
        Registers regs = new Registers();
        ctx.sync();
        dev.jvisor.sentry.host.Host.getRegs(ctx.stub().pid(), regs.segment());
        regs.load();
        regs.rip(rip);
        regs.rsp(0);
        return regs;
    }

    @Test
    void injectedSyscallsRunInTheStub() {
        try (PtraceContext ctx = PtraceContext.create(PtraceContext.newAddressSpace())) {
            assertThat(ctx.stub().inject(39 /* getpid */)).isEqualTo(ctx.stub().pid());
        }
    }

    @Test
    void applicationSyscallsTrapAndNeverReachTheHost() {
        AddressSpace as = PtraceContext.newAddressSpace();
        as.mapAnonymous(CODE, 4096, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC, false, true, "code");
        as.writeForce(CODE, GETPID_THEN_EXIT, 0, GETPID_THEN_EXIT.length);
        try (PtraceContext ctx = PtraceContext.create(as)) {
            Registers regs = runAt(ctx, CODE);
            assertThat(ctx.run(regs)).isEqualTo(Stub.StopKind.SYSCALL);
            assertThat(regs.origRax()).isEqualTo(39);
            long rdiBefore = regs.rdi();
            regs.rax(12345); // the Sentry's answer
            assertThat(ctx.run(regs)).isEqualTo(Stub.StopKind.SYSCALL);
            assertThat(regs.origRax()).isEqualTo(60);
            assertThat(regs.rdi()).isEqualTo(rdiBefore);
            // exit was skipped by the host: the stub is still alive and stopped
            assertThat(Files.exists(Path.of("/proc/" + ctx.stub().pid()))).isTrue();
        }
    }

    @Test
    void aRawSyscallOutsideTheInjectionSiteKillsTheStub() {
        AddressSpace as = PtraceContext.newAddressSpace();
        as.mapAnonymous(CODE, 4096, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC, false, true, "code");
        as.writeForce(CODE, GETPID_THEN_EXIT, 0, GETPID_THEN_EXIT.length);
        try (PtraceContext ctx = PtraceContext.create(as)) {
            Registers regs = runAt(ctx, CODE);
            Stub.StopKind kind = ctx.stub().resumeUnemulatedForTest(regs);
            // seccomp's SECCOMP_RET_KILL_PROCESS: a SIGSYS stop is reported first, then death.
            if (kind == Stub.StopKind.SIGNAL) {
                assertThat(ctx.stub().lastSignal()).isEqualTo(31 /* SIGSYS */);
                kind = ctx.stub().resumeUnemulatedForTest(regs);
            }
            assertThat(kind).isEqualTo(Stub.StopKind.EXITED);
            int status = ctx.stub().exitStatus();
            assertThat(status & 0x7f).as("killed by signal").isEqualTo(31 /* SIGSYS */);
        }
    }

    @Test
    void memoryWrittenByTheSentryIsWhatTheStubSees() {
        AddressSpace as = PtraceContext.newAddressSpace();
        long data = as.mapAnonymous(0, 8192, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE, false, false, "data");
        as.writeLong(data + 4096, 0x1122334455667788L);
        as.mapAnonymous(CODE, 4096, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC, false, true, "code");
        // mov rax, [abs data+4096]; mov edi, eax... simpler: mov rdi, imm64; mov rax,[rdi]; mov eax... then syscall with rax=value
        byte[] code = new byte[32];
        int i = 0;
        code[i++] = 0x48; code[i++] = (byte) 0xbf; // movabs rdi, imm64
        long addr = data + 4096;
        for (int b = 0; b < 8; b++) code[i++] = (byte) (addr >>> (8 * b));
        code[i++] = 0x48; code[i++] = (byte) 0x8b; code[i++] = 0x37; // mov rsi, [rdi]
        code[i++] = (byte) 0xb8; code[i++] = 39; code[i++] = 0; code[i++] = 0; code[i++] = 0; // mov eax, 39
        code[i++] = 0x0f; code[i++] = 0x05;
        as.writeForce(CODE, code, 0, i);
        try (PtraceContext ctx = PtraceContext.create(as)) {
            Registers regs = runAt(ctx, CODE);
            assertThat(ctx.run(regs)).isEqualTo(Stub.StopKind.SYSCALL);
            assertThat(regs.rsi()).isEqualTo(0x1122334455667788L);
        }
    }
}
