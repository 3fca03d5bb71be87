#include "engine/systemd.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/spawn.h"
#include "engine/taskdir.h"
#include "model/strbuf.h"

extern const char systemd_unit_template[];
extern const size_t systemd_unit_template_len;

#define UNIT "migtop-task@.service"

/* Where the unit files go. */
static bool unit_dir(bool user, char *out, size_t n, char *err, size_t errlen)
{
    const char *t = getenv("MIGTOP_SYSTEMD_DIR");
    if (t && *t) {
        snprintf(out, n, "%s", t);
        return true;
    }
    if (!user) {
        if (geteuid() != 0) {
            snprintf(err, errlen, "--systemd system: installing a system unit needs root "
                     "(or use --systemd user)");
            return false;
        }
        snprintf(out, n, "/etc/systemd/system");
        return true;
    }
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(out, n, "%s/systemd/user", xdg);
    else if (home && *home)
        snprintf(out, n, "%s/.config/systemd/user", home);
    else {
        snprintf(err, errlen, "--systemd user: neither XDG_CONFIG_HOME nor HOME is set");
        return false;
    }
    return true;
}

/* ExecStart with the binary and state directory of this create; a system
 * unit runs as the user who made the task (its state directory is theirs). */
static void dropin_text(strbuf *b, const char *exe, const char *state_dir, const char *name,
                        bool user)
{
    strbuf_printf(b, "# Written by migtop create for the task %s.\n[Service]\nExecStart=\n"
                     "ExecStart=%s supervise %s --state-dir %s\n", name, exe, name, state_dir);
    if (!user) {
        const struct passwd *pw = getpwuid(getuid());
        if (pw)
            strbuf_printf(b, "User=%s\n", pw->pw_name);
    }
}

static int systemctl(bool user, const char *a1, const char *a2, const char *a3, char *err,
                     size_t errlen)
{
    const char *prog = getenv("MIGTOP_SYSTEMCTL");
    prog = prog && *prog ? prog : "systemctl";
    const char *argv[6] = {prog};
    int n = 1;
    if (user)
        argv[n++] = "--user";
    argv[n++] = a1;
    if (a2)
        argv[n++] = a2;
    if (a3)
        argv[n++] = a3;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot run %s: %s", prog, strerror(errno));
        return -1;
    }
    if (pid == 0) {
        execvp(prog, (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    if (rc)
        snprintf(err, errlen, "%s%s %s%s%s failed (exit %d)%s", prog, user ? " --user" : "", a1,
                 a2 ? " " : "", a2 ? a2 : "", rc,
                 rc == 127 ? ": no systemctl (is systemd running here?)" : "");
    return rc;
}

bool engine_systemd_install(const char *state_dir, const char *name, const char *mode,
                            char *err, size_t errlen)
{
    bool user = !strcmp(mode, "user");
    if (!user && strcmp(mode, "system")) {
        snprintf(err, errlen, "--systemd: user or system, not \"%s\"", mode);
        return false;
    }
    char dir[4096], exe[4096], dropdir[4400], unit[300];
    if (!unit_dir(user, dir, sizeof dir, err, errlen) ||
        !engine_exe_path(exe, sizeof exe, err, errlen) || !engine_mkdirs(dir, err, errlen))
        return false;
    snprintf(unit, sizeof unit, "migtop-task@%s.service", name);
    snprintf(dropdir, sizeof dropdir, "%s/%s.d", dir, unit);
    strbuf drop = {0};
    dropin_text(&drop, exe, state_dir, name, user);
    bool ok = engine_write_file(dir, UNIT, systemd_unit_template, systemd_unit_template_len,
                                err, errlen) &&
              engine_mkdirs(dropdir, err, errlen) &&
              engine_write_file(dropdir, "migtop.conf", drop.s, drop.n, err, errlen);
    strbuf_free(&drop);
    return ok && systemctl(user, "daemon-reload", NULL, NULL, err, errlen) == 0 &&
           systemctl(user, "enable", "--now", unit, err, errlen) == 0;
}
