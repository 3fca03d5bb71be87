#include "engine/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/taskdir.h"

bool engine_exe_path(char *out, size_t outlen, char *err, size_t errlen)
{
    const char *env = getenv("MIGTOP_BIN");
    if (env && *env) {
        /* Absolute: the child runs from /, where a relative path would
         * name nothing, and the task would never start. */
        char abs[PATH_MAX];
        if (!realpath(env, abs)) {
            snprintf(err, errlen, "cannot run MIGTOP_BIN=%s: %s", env, strerror(errno));
            return false;
        }
        snprintf(out, outlen, "%s", abs);
    } else {
        ssize_t n = readlink("/proc/self/exe", out, outlen - 1);
        if (n <= 0) {
            snprintf(err, errlen, "cannot find the migtop binary: %s", strerror(errno));
            return false;
        }
        out[n] = 0;
    }
    /* Checked here: once detached, a process that cannot start has
     * nobody to tell but its output file. */
    if (access(out, X_OK) != 0) {
        snprintf(err, errlen, "cannot run %s: %s", out, strerror(errno));
        return false;
    }
    return true;
}

/* In the child: stdio to /dev/null and the output file, every other fd
 * closed, then the exec. Never returns. */
static void exec_migtop(const char *exe, const char *state_dir, const char *name,
                        const char *cmd, const char *extra, const char *out)
{
    int nul = open("/dev/null", O_RDWR);
    int o = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(nul, 0);
    dup2(o >= 0 ? o : nul, 1);
    dup2(o >= 0 ? o : nul, 2);
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    if (chdir("/") != 0)
        _exit(126);
    /* The parent's blocked or ignored signals are not the child's. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    char *argv[] = {"migtop", (char *)cmd, (char *)name, "--state-dir", (char *)state_dir,
                    "--quiet", (char *)extra, NULL};
    execv(exe, argv);
    dprintf(2, "cannot run %s: %s\n", exe, strerror(errno));
    _exit(127);
}

static bool out_path(const char *state_dir, const char *name, const char *out, char *path,
                     size_t n, char *err, size_t errlen)
{
    char dir[4200];
    if (!engine_task_dir(state_dir, name, dir, sizeof dir, err, errlen))
        return false;
    snprintf(path, n, "%s/%s", dir, out);
    return true;
}

bool engine_spawn_detached(const char *state_dir, const char *name, const char *cmd,
                           const char *extra, const char *out, char *err, size_t errlen)
{
    char exe[4096], path[4400];
    if (!engine_exe_path(exe, sizeof exe, err, errlen) ||
        !out_path(state_dir, name, out, path, sizeof path, err, errlen))
        return false;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start migtop %s: %s", cmd, strerror(errno));
        return false;
    }
    if (pid == 0) {
        /* First child: a new session, then fork again so the process is
         * not a session leader and can never get a controlling tty. */
        setsid();
        signal(SIGHUP, SIG_IGN);
        if (fork() != 0)
            _exit(0);
        exec_migtop(exe, state_dir, name, cmd, extra, path);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return true;
}

pid_t engine_spawn_child(const char *state_dir, const char *name, const char *cmd,
                         const char *extra, const char *out, char *err, size_t errlen)
{
    char exe[4096], path[4400];
    if (!engine_exe_path(exe, sizeof exe, err, errlen) ||
        !out_path(state_dir, name, out, path, sizeof path, err, errlen))
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start migtop %s: %s", cmd, strerror(errno));
        return -1;
    }
    if (pid == 0)
        exec_migtop(exe, state_dir, name, cmd, extra, path);
    return pid;
}

void engine_catch_stop_signals(void (*fn)(int))
{
    struct sigaction sa = {0};
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

void engine_exe_env_absolute(void)
{
    const char *env = getenv("MIGTOP_BIN");
    char abs[4096], err[256];
    /* Unusable: left as it is, for the spawn to report. */
    if (env && *env && env[0] != '/' && engine_exe_path(abs, sizeof abs, err, sizeof err))
        setenv("MIGTOP_BIN", abs, 1);
}
