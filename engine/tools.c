#include "engine/tools.h"
#include "model/fmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void engine_tool_path(const char *prog, char *out, size_t outlen)
{
    const char *bindir = getenv("MIGTOP_PG_BINDIR");
    if (bindir && *bindir) {
        snprintf(out, outlen, "%s/%s", bindir, prog);
        return;
    }
    /* Debian's /usr/bin/pg_dump wrapper picks a version by cluster, not
     * by the server we talk to: prefer the newest real installation. */
    int best = -1;
    DIR *d = opendir("/usr/lib/postgresql");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int v = atoi(e->d_name);
        char p[512];
        snprintf(p, sizeof p, "/usr/lib/postgresql/%d/bin/%s", v, prog);
        if (v > best && access(p, X_OK) == 0)
            best = v;
    }
    if (d)
        closedir(d);
    if (best >= 0)
        snprintf(out, outlen, "/usr/lib/postgresql/%d/bin/%s", best, prog);
    else
        snprintf(out, outlen, "%s", prog);
}

int engine_tool_major(const char *path, char *err, size_t errlen)
{
    char tmp[] = "/tmp/migtop-ver-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
        return 0;
    }
    close(fd);
    char *argv[] = {(char *)path, "--version", NULL};
    int rc = engine_tool_run(argv, NULL, tmp, NULL, NULL, err, errlen);
    char buf[256] = {0};
    FILE *f = fopen(tmp, "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    }
    unlink(tmp);
    if (rc != 0) {
        if (rc > 0)
            snprintf(err, errlen, "%s --version failed (exit %d)", path, rc);
        return 0;
    }
    const char *p = strstr(buf, ") ");
    int v = p ? atoi(p + 2) : 0;
    if (v <= 0)
        snprintf(err, errlen, "cannot read the version of %s from \"%s\"", path, buf);
    return v;
}

/* A descriptor that turns readable when the child ends (pidfd_open,
 * Linux 5.3); -1 where the kernel or a seccomp filter refuses it: then
 * the wait naps, 1 ms doubling up to 100 ms. */
static int child_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

/* Waits for pid; with stop, a terminate request sends it SIGTERM (once,
 * *killed). Woken as the child ends (its pidfd turns readable), not at
 * the next tenth of a second: a small task runs half a dozen tools in a
 * row. False when waitpid fails (errno). */
static bool wait_child(pid_t pid, const _Atomic bool *stop, int *status, bool *killed)
{
    int pfd = stop ? child_fd(pid) : -1;
    bool ok = true;
    for (int nap = 1;; nap = nap < 100 ? nap * 2 : 100) {
        pid_t w = waitpid(pid, status, stop ? WNOHANG : 0);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            ok = false;
            break;
        }
        if (stop && atomic_load(stop) && !*killed) {
            kill(pid, SIGTERM);
            *killed = true;
        }
        struct pollfd pf = {.fd = pfd, .events = POLLIN};
        if (pfd >= 0)
            (void)poll(&pf, 1, 100); /* an interrupt only looks again */
        else
            fmt_sleep_ms(nap);
    }
    int e = errno;
    if (pfd >= 0)
        close(pfd);
    errno = e;
    return ok;
}

static int open_out(const char *path)
{
    return open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

int engine_tool_run(char *const argv[], const char *const *extra_env, const char *out_path,
                    const char *err_path, const _Atomic bool *stop, char *err,
                    size_t errlen)
{
    size_t n_env = 0, n_extra = 0;
    while (environ[n_env])
        n_env++;
    while (extra_env && extra_env[n_extra])
        n_extra++;
    char **env = calloc(n_env + n_extra + 1, sizeof *env);
    if (!env)
        abort();
    memcpy(env, environ, n_env * sizeof *env);
    for (size_t i = 0; i < n_extra; i++)
        env[n_env + i] = (char *)extra_env[i];
    int ofd = open_out(out_path), efd = open_out(err_path);
    pid_t parent = getpid();
    pid_t pid = ofd >= 0 && efd >= 0 ? fork() : -1;
    if (pid == 0) {
        /* A runner killed (kill -9) takes its tool with it: a pg_restore
         * left building indexes would race the run that comes next. The
         * signal comes when the forking thread ends, which waits for the
         * tool here. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        execve(argv[0], argv, env);
        if (!strchr(argv[0], '/')) {
            environ = env;
            execvp(argv[0], argv);
        }
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    free(env);
    if (ofd >= 0)
        close(ofd);
    if (efd >= 0)
        close(efd);
    if (pid < 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    int status = 0;
    bool killed = false;
    if (!wait_child(pid, stop, &status, &killed)) {
        snprintf(err, errlen, "waiting for %s: %s", argv[0], strerror(errno));
        return -1;
    }
    if (killed) {
        snprintf(err, errlen, "%s stopped: the task is terminating", argv[0]);
        return -1;
    }
    if (WIFSIGNALED(status)) {
        snprintf(err, errlen, "%s killed by signal %d", argv[0], WTERMSIG(status));
        return -1;
    }
    if (WEXITSTATUS(status) == 127)
        snprintf(err, errlen, "cannot run %s (not installed?)", argv[0]);
    return WEXITSTATUS(status);
}
