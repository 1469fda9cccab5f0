/*
 * Tries to get privilege back from inside a container: become root, take back capabilities,
 * raise ambient ones, read a file only its owner may read, chroot, and (with the argument "exec-suid PATH") execute a set-user-ID root program. Prints what
 * each attempt got, for comparison between runtimes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *label, long rc) {
    if (rc == -1) printf("%s: %s\n", label, strerrorname_np(errno));
    else printf("%s: ok\n", label);
}

static void ids(const char *label) {
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    syscall(SYS_capget, &h, d);
    printf("%s: uid %d/%d/%d eff %#x prm %#x\n", label, r, e, s, d[0].effective, d[0].permitted);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "report") == 0) {
        ids("after exec");
        return 0;
    }
    ids("start");
    show("setuid 0", setuid(0));
    show("setresuid 0 0 0", setresuid(0, 0, 0));
    show("seteuid 0", seteuid(0));
    show("setgid 0", setgid(0));
    show("setgroups 0", setgroups(1, (gid_t[]){0}));
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct all[2] = {{~0u, ~0u, ~0u}, {~0u, ~0u, ~0u}};
    show("capset everything", syscall(SYS_capset, &h, all));
    show("ambient raise CAP_SETUID", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SETUID, 0, 0));
    show("bounding drop CAP_NET_BIND_SERVICE", prctl(PR_CAPBSET_DROP, CAP_NET_BIND_SERVICE, 0, 0, 0));
    show("clear no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
    show("open the owner-only file", open("/secret", O_RDONLY));
    show("chroot", chroot("/"));
    ids("end");
    if (argc > 2 && strcmp(argv[1], "exec-suid") == 0) {
        execl(argv[2], argv[2], "report", (char *)NULL);
        show("exec set-user-ID", -1);
    }
    return 0;
}
