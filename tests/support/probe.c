/*
 * probe: the attacker's toolbox for creor's escape suite.
 *
 * Compiled with gcc at test time and copied into each sandboxed project. Every operation makes
 * exactly one attempt and reports what the kernel answered on the first line of stdout:
 *
 *     ok [DETAIL]        the attempt succeeded (DETAIL: a return value, a count, ...)
 *     err ERRNONAME      the kernel refused with that errno (ENOENT, EPERM, ...)
 *
 * Operations that read data print it after the first line. The exit status is 0 whenever the
 * probe managed to report, so the harness judges the kernel's answer, not an exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/sched.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/statfs.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#ifndef HOST_PIDNS
#define HOST_PIDNS 0
#endif
#ifndef HOST_UTSNS
#define HOST_UTSNS 0
#endif

/* Operations that would hurt the host if the "sandbox" under test did nothing (kill(-1),
 * fork bombs, sethostname, kexec, modules) run only when the probe is provably NOT in the
 * host's pid and uts namespaces, whose inode numbers are compiled in by the harness. */
static int unsandboxed(void) {
    struct stat p, u;
    if (stat("/proc/self/ns/pid", &p) != 0 || stat("/proc/self/ns/uts", &u) != 0) return 1;
    return HOST_PIDNS == 0 || HOST_UTSNS == 0 || p.st_ino == (ino_t)HOST_PIDNS ||
           u.st_ino == (ino_t)HOST_UTSNS;
}

static int refuse_unsandboxed(void) {
    printf("unsafe: refusing a host-damaging operation outside a pid+uts namespace\n");
    return 3;
}

static int report(long rc) {
    if (rc < 0) {
        const char *name = strerrorname_np(errno);
        printf("err %s\n", name ? name : "EUNKNOWN");
    } else {
        printf("ok %ld\n", rc);
    }
    return 0;
}

static int usage(void) {
    fprintf(stderr, "probe: bad arguments\n");
    return 2;
}

static int op_read(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return report(-1);
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) return report(-1);
    printf("ok\n");
    fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
    return 0;
}

static int op_write(const char *path, const char *data, int flags) {
    int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
    if (fd < 0) return report(-1);
    ssize_t n = write(fd, data, strlen(data));
    if (n < 0) return report(-1);
    return report(close(fd));
}

/* Open read-only (allowed), then reopen the same file for writing through its /proc magic link. */
static int op_reopenw(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return report(-1);
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    return report(open(link, O_WRONLY));
}

static int op_ls(const char *path) {
    DIR *d = opendir(path);
    if (!d) return report(-1);
    printf("ok\n");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf("%s\n", e->d_name);
    }
    closedir(d);
    return 0;
}

static int op_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return report(-1);
    int own = dirfd(d);
    printf("ok\n");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (atoi(e->d_name) == own) continue;
        printf("%s\n", e->d_name);
    }
    closedir(d);
    return 0;
}

static int op_readfd(int fd) {
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    if (n < 0) n = read(fd, buf, sizeof buf);
    if (n < 0) return report(-1);
    printf("ok\n");
    fwrite(buf, 1, (size_t)n, stdout);
    return 0;
}

static int op_openat(int dirfd, const char *rel) {
    int fd = openat(dirfd, rel, O_RDONLY);
    if (fd < 0) return report(-1);
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    printf("ok\n");
    if (n > 0) fwrite(buf, 1, (size_t)n, stdout);
    return 0;
}

static int fill_inet(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *len) {
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)atoi(port));
        *len = sizeof *in4;
        return AF_INET;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)atoi(port));
        *len = sizeof *in6;
        return AF_INET6;
    }
    return -1;
}

static int op_tcp(const char *host, const char *port) {
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = fill_inet(host, port, &ss, &len);
    if (fam < 0) return usage();
    int s = socket(fam, SOCK_STREAM, 0);
    if (s < 0) return report(-1);
    /* Bound the wait: an unsandboxed connect to a blackholed address would hang for minutes. */
    struct timeval tv = {5, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return report(connect(s, (struct sockaddr *)&ss, len));
}

static int op_udp(const char *host, const char *port) {
    struct sockaddr_storage ss;
    socklen_t len;
    int fam = fill_inet(host, port, &ss, &len);
    if (fam < 0) return usage();
    int s = socket(fam, SOCK_DGRAM, 0);
    if (s < 0) return report(-1);
    /* Send a few datagrams: the first one on a fresh netns loopback can be lost to ARP-less
     * routing. The harness listens on the host and must never receive one. */
    long rc = 0;
    for (int i = 0; i < 3; i++) {
        rc = sendto(s, "creor-udp-probe", 15, 0, (struct sockaddr *)&ss, len);
        if (rc < 0) break;
    }
    return report(rc);
}

static int op_unix(const char *path, int abstract) {
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    socklen_t len;
    if (abstract) {
        size_t n = strlen(path);
        if (n + 1 > sizeof un.sun_path) return usage();
        memcpy(un.sun_path + 1, path, n);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    } else {
        if (strlen(path) + 1 > sizeof un.sun_path) return usage();
        strcpy(un.sun_path, path);
        len = sizeof un;
    }
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return report(-1);
    if (connect(s, (struct sockaddr *)&un, len) < 0) return report(-1);
    /* Connected: say hello so the host listener can prove it was reached. */
    (void)!write(s, "creor-unix-probe", 16);
    return report(0);
}

static int op_dns(const char *name) {
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(name, "80", NULL, &res);
    if (rc != 0) {
        printf("err %s\n", rc == EAI_SYSTEM ? strerrorname_np(errno) : gai_strerror(rc));
        return 0;
    }
    char buf[INET6_ADDRSTRLEN] = "?";
    if (res->ai_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, buf, sizeof buf);
    printf("ok %s\n", buf);
    return 0;
}

static int op_socket(const char *fam) {
    int s;
    if (!strcmp(fam, "vsock")) s = socket(AF_VSOCK, SOCK_STREAM, 0);
    else if (!strcmp(fam, "packet")) s = socket(AF_PACKET, SOCK_RAW, 0);
    else if (!strcmp(fam, "raw")) s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    else if (!strcmp(fam, "raw6")) s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    else if (!strcmp(fam, "inet")) s = socket(AF_INET, SOCK_STREAM, 0);
    else if (!strcmp(fam, "unix")) s = socket(AF_UNIX, SOCK_STREAM, 0);
    else return usage();
    return report(s);
}

static int op_tiocsti(int fd, int high) {
    char c = 'X';
    unsigned long req = TIOCSTI;
    if (high) req |= (1UL << 32);
    return report(syscall(SYS_ioctl, fd, req, &c));
}

static int op_hold(int daemonize) {
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    if (daemonize) {
        pid_t p = fork();
        if (p < 0) return report(-1);
        if (p > 0) return report(p);
        setsid();
        p = fork();
        if (p != 0) _exit(0);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
    } else {
        printf("ok %d\n", getpid());
        fflush(stdout);
    }
    for (;;) pause();
}

static int op_forkbomb(long cap) {
    if (unsandboxed()) return refuse_unsandboxed();
    pid_t *kids = calloc((size_t)cap + 1, sizeof(pid_t));
    if (!kids) return report(-1);
    long n = 0;
    int err = 0;
    for (; n < cap; n++) {
        pid_t p = fork();
        if (p < 0) { err = errno; break; }
        if (p == 0) { for (;;) pause(); }
        kids[n] = p;
    }
    if (n < cap) printf("err %s %ld\n", strerrorname_np(err), n);
    else printf("ok %ld\n", n);
    fflush(stdout);
    /* Only our own children, never a process group or -1. */
    for (long i = 0; i < n; i++) kill(kids[i], SIGKILL);
    for (long i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
    return 0;
}

static int op_bigfile(const char *path) {
    signal(SIGXFSZ, SIG_IGN);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return report(-1);
    /* A sparse write at 1 TiB costs no disk; only RLIMIT_FSIZE (or the filesystem) stops it. */
    return report(pwrite(fd, "x", 1, 1LL << 40));
}

static int op_ids(void) {
    gid_t groups[64];
    int ng = getgroups(64, groups);
    printf("ok uid=%d euid=%d gid=%d egid=%d ngroups=%d\n", getuid(), geteuid(), getgid(), getegid(), ng);
    return 0;
}

/* unshare(CLONE_NEWUSER) through the i386 entry point (int 0x80, i386 number 310): a filter
 * that checks syscall numbers without checking the architecture reads it as another call. */
static long i386_unshare(void) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(310L), "b"((long)CLONE_NEWUSER) : "memory");
    if (ret < 0 && ret > -4096) { errno = (int)-ret; return -1; }
    return ret;
}

static long do_clone_newuser(void) {
    long p = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (p == 0) _exit(0);
    if (p > 0) waitpid((pid_t)p, NULL, 0);
    return p;
}

/* Each entry: a syscall made with arguments chosen so that, if no filter intervened, the kernel
 * would usually answer with something other than EPERM (EFAULT, EBADF, EINVAL, ESRCH or
 * success). A filter that denies the call answers EPERM (ENOSYS for clone3). */
static int op_sys(const char *name) {
    long rc;
    const char *dangerous[] = {"sethostname", "kexec_load", "kexec_file_load", "init_module",
                               "finit_module", "delete_module", "setuid0", NULL};
    for (int i = 0; dangerous[i]; i++)
        if (!strcmp(name, dangerous[i]) && unsandboxed()) return refuse_unsandboxed();
    errno = 0;
    if (!strcmp(name, "io_uring_setup")) rc = syscall(SYS_io_uring_setup, 1, NULL);
    else if (!strcmp(name, "io_uring_enter")) rc = syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
    else if (!strcmp(name, "io_uring_register")) rc = syscall(SYS_io_uring_register, -1, 0, NULL, 0);
    else if (!strcmp(name, "bpf")) rc = syscall(SYS_bpf, 0, NULL, 0);
    else if (!strcmp(name, "perf_event_open")) rc = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
    else if (!strcmp(name, "userfaultfd")) rc = syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */);
    else if (!strcmp(name, "keyctl")) rc = syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* SESSION */, 0);
    else if (!strcmp(name, "add_key")) rc = syscall(SYS_add_key, "user", "creor", "x", 1, -3);
    else if (!strcmp(name, "request_key")) rc = syscall(SYS_request_key, "user", "creor-none", NULL, 0);
    else if (!strcmp(name, "ptrace")) rc = syscall(SYS_ptrace, 3 /* PEEKUSER */, 999999, 0, 0);
    else if (!strcmp(name, "ptrace_traceme")) rc = syscall(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0);
    else if (!strcmp(name, "mount")) rc = syscall(SYS_mount, NULL, NULL, NULL, 0, NULL);
    else if (!strcmp(name, "umount2")) rc = syscall(SYS_umount2, "/", 0x7fff0000);
    else if (!strcmp(name, "pivot_root")) rc = syscall(SYS_pivot_root, ".", ".");
    else if (!strcmp(name, "open_tree")) rc = syscall(SYS_open_tree, AT_FDCWD, "/", 0);
    else if (!strcmp(name, "move_mount")) rc = syscall(SYS_move_mount, -1, "", -1, "", 0);
    else if (!strcmp(name, "fsopen")) rc = syscall(SYS_fsopen, "tmpfs", 0);
    else if (!strcmp(name, "fspick")) rc = syscall(SYS_fspick, AT_FDCWD, "/", 0);
    else if (!strcmp(name, "mount_setattr")) rc = syscall(SYS_mount_setattr, -1, "", 0, NULL, 0);
    else if (!strcmp(name, "unshare_user")) rc = syscall(SYS_unshare, CLONE_NEWUSER);
    else if (!strcmp(name, "unshare_net")) rc = syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET);
    else if (!strcmp(name, "unshare_mnt")) rc = syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS);
    else if (!strcmp(name, "setns")) rc = syscall(SYS_setns, -1, 0);
    else if (!strcmp(name, "clone_newuser")) rc = do_clone_newuser();
    else if (!strcmp(name, "clone3")) rc = syscall(SYS_clone3, NULL, 0);
    else if (!strcmp(name, "i386_unshare")) rc = i386_unshare();
    else if (!strcmp(name, "pvm_read_pid1")) {
        char buf[16];
        struct iovec local = {buf, sizeof buf}, remote = {(void *)0x10000, sizeof buf};
        rc = process_vm_readv(1, &local, 1, &remote, 1, 0);
    }
    else if (!strcmp(name, "x32_unshare")) rc = syscall(0x40000000L | SYS_unshare, CLONE_NEWUSER);
    else if (!strcmp(name, "personality_bad")) rc = syscall(SYS_personality, ADDR_NO_RANDOMIZE);
    else if (!strcmp(name, "personality_query")) rc = syscall(SYS_personality, 0xffffffffUL);
    else if (!strcmp(name, "kexec_load")) rc = syscall(SYS_kexec_load, 0, 0, NULL, 0);
    else if (!strcmp(name, "kexec_file_load")) rc = syscall(SYS_kexec_file_load, -1, -1, 0, "", 0);
    else if (!strcmp(name, "init_module")) rc = syscall(SYS_init_module, NULL, 0, "");
    else if (!strcmp(name, "finit_module")) rc = syscall(SYS_finit_module, -1, "", 0);
    else if (!strcmp(name, "delete_module")) rc = syscall(SYS_delete_module, "creor_none", 0);
    else if (!strcmp(name, "open_by_handle_at")) rc = syscall(SYS_open_by_handle_at, -1, NULL, 0);
    else if (!strcmp(name, "chroot")) rc = syscall(SYS_chroot, ".");
    else if (!strcmp(name, "sethostname")) rc = syscall(SYS_sethostname, "creor-pwned", 11);
    else if (!strcmp(name, "setuid0")) rc = syscall(SYS_setuid, 0);
    else return usage();
    return report(rc);
}

static int op_mknod(const char *path) {
    return report(mknod(path, S_IFCHR | 0666, makedev(1, 3)));
}

static int op_shm(const char *key) { return report(shmget((key_t)strtol(key, NULL, 0), 0, 0)); }
static int op_msg(const char *key) { return report(msgget((key_t)strtol(key, NULL, 0), 0)); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) return usage();
    const char *op = argv[1];
    const char *a = argc > 2 ? argv[2] : NULL;
    const char *b = argc > 3 ? argv[3] : NULL;
#define NEED(n) if (argc < (n) + 2) return usage()
    if (!strcmp(op, "read")) { NEED(1); return op_read(a); }
    if (!strcmp(op, "openw")) { NEED(1); return report(open(a, O_WRONLY)); }
    if (!strcmp(op, "write")) { NEED(2); return op_write(a, b, O_TRUNC); }
    if (!strcmp(op, "append")) { NEED(2); return op_write(a, b, O_APPEND); }
    if (!strcmp(op, "mkdir")) { NEED(1); return report(mkdir(a, 0755)); }
    if (!strcmp(op, "reopenw")) { NEED(1); return op_reopenw(a); }
    if (!strcmp(op, "statfs")) {
        NEED(1);
        struct statfs st;
        if (statfs(a, &st) != 0) return report(-1);
        printf("ok %llu\n", (unsigned long long)st.f_blocks * (unsigned long long)st.f_bsize);
        return 0;
    }
    if (!strcmp(op, "raise-rlimit")) {
        NEED(1);
        int res = !strcmp(a, "nproc") ? RLIMIT_NPROC : !strcmp(a, "fsize") ? RLIMIT_FSIZE : -1;
        if (res < 0) return usage();
        struct rlimit rl;
        if (getrlimit(res, &rl) != 0) return report(-1);
        if (rl.rlim_max == RLIM_INFINITY) { printf("unlimited\n"); return 0; }
        rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
        return report(setrlimit(res, &rl));
    }
    if (!strcmp(op, "truncate")) { NEED(1); return report(truncate(a, 0)); }
    if (!strcmp(op, "unlink")) { NEED(1); return report(unlink(a)); }
    if (!strcmp(op, "rename")) { NEED(2); return report(rename(a, b)); }
    if (!strcmp(op, "symlink")) { NEED(2); return report(symlink(a, b)); }
    if (!strcmp(op, "link")) { NEED(2); return report(link(a, b)); }
    if (!strcmp(op, "chmod")) { NEED(2); return report(chmod(a, (mode_t)strtol(b, NULL, 8))); }
    if (!strcmp(op, "mknod")) { NEED(1); return op_mknod(a); }
    if (!strcmp(op, "ls")) { NEED(1); return op_ls(a); }
    if (!strcmp(op, "fds")) return op_fds();
    if (!strcmp(op, "readfd")) { NEED(1); return op_readfd(atoi(a)); }
    if (!strcmp(op, "openat")) { NEED(2); return op_openat(atoi(a), b); }
    if (!strcmp(op, "tcp")) { NEED(2); return op_tcp(a, b); }
    if (!strcmp(op, "udp")) { NEED(2); return op_udp(a, b); }
    if (!strcmp(op, "unix")) { NEED(1); return op_unix(a, 0); }
    if (!strcmp(op, "abstract")) { NEED(1); return op_unix(a, 1); }
    if (!strcmp(op, "dns")) { NEED(1); return op_dns(a); }
    if (!strcmp(op, "socket")) { NEED(1); return op_socket(a); }
    if (!strcmp(op, "socketn")) {
        NEED(3);
        return report(socket(atoi(a), atoi(b), atoi(argv[4])));
    }
    if (!strcmp(op, "kill")) {
        NEED(2);
        if (atoi(a) <= 0 && unsandboxed()) return refuse_unsandboxed();
        return report(kill(atoi(a), atoi(b)));
    }
    if (!strcmp(op, "shm")) { NEED(1); return op_shm(a); }
    if (!strcmp(op, "msg")) { NEED(1); return op_msg(a); }
    if (!strcmp(op, "tiocsti")) { NEED(1); return op_tiocsti(atoi(a), b && !strcmp(b, "high")); }
    if (!strcmp(op, "hold")) { NEED(1); return op_hold(b && !strcmp(b, "daemon")); }
    if (!strcmp(op, "forkbomb")) { NEED(1); return op_forkbomb(atol(a)); }
    if (!strcmp(op, "bigfile")) { NEED(1); return op_bigfile(a); }
    if (!strcmp(op, "ids")) return op_ids();
    if (!strcmp(op, "sys")) { NEED(1); return op_sys(a); }
    return usage();
}
