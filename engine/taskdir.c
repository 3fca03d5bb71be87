#include "engine/taskdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/flags.h"

const char *const engine_shown_files[ENGINE_SHOWN_FILES] = {
    ENGINE_STATUS_FILE, ENGINE_SPEC_FILE, ENGINE_TERMINATE_FILE, ENGINE_LOCK_FILE,
    ENGINE_SUPERVISOR_LOCK};

bool engine_mkdirs(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(err, errlen, "path too long: %s", path);
        return false;
    }
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
                return false;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return true;
}

bool engine_state_dir(const char *explicit_dir, char *out, size_t outlen, char *err,
                      size_t errlen)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n;
    char cwd[4096];
    /* Made absolute: the detached runner works from "/", and a relative
     * --state-dir would name another directory there. */
    if (explicit_dir && *explicit_dir && explicit_dir[0] != '/' && getcwd(cwd, sizeof cwd))
        n = snprintf(out, outlen, "%s/%s", cwd, explicit_dir);
    else if (explicit_dir && *explicit_dir)
        n = snprintf(out, outlen, "%s", explicit_dir);
    else if (xdg && *xdg)
        n = snprintf(out, outlen, "%s/migtop", xdg);
    else if (home && *home)
        n = snprintf(out, outlen, "%s/.local/state/migtop", home);
    else {
        snprintf(err, errlen, "no state directory: set XDG_STATE_HOME or HOME, or give --state-dir");
        return false;
    }
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "state directory path too long");
        return false;
    }
    char tasks[4200];
    snprintf(tasks, sizeof tasks, "%s/tasks", out);
    return engine_mkdirs(tasks, err, errlen);
}

bool engine_task_dir(const char *state_dir, const char *name, char *out, size_t outlen,
                     char *err, size_t errlen)
{
    /* The name becomes a path component: only a valid task name may. */
    if (!mt_valid_name(name, err, errlen))
        return false;
    int n = snprintf(out, outlen, "%s/tasks/%s", state_dir, name);
    if (n < 0 || (size_t)n >= outlen) {
        snprintf(err, errlen, "task directory path too long");
        return false;
    }
    return true;
}

bool engine_write_file(const char *dir, const char *name, const char *data, size_t len,
                       char *err, size_t errlen)
{
    return engine_write_file_keep(dir, name, NULL, data, len, err, errlen);
}

bool engine_write_file_keep(const char *dir, const char *name, const char *prev,
                            const char *data, size_t len, char *err, size_t errlen)
{
    return engine_write_file_in(dir, NULL, name, prev, data, len, err, errlen);
}

static bool write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        off += (size_t)w;
    }
    return true;
}

/* Everything relative to the directory opened once: when it is removed
 * meanwhile, the writes fail in it (ENOENT) instead of landing in a new
 * directory of the same name. */
bool engine_write_file_in(const char *dir, const engine_dir_id *expect, const char *name,
                          const char *prev, const char *data, size_t len, char *err,
                          size_t errlen)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0) {
        snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return false;
    }
    if (expect && ((unsigned long long)st.st_dev != expect->dev ||
                   (unsigned long long)st.st_ino != expect->ino)) {
        snprintf(err, errlen, "%s is another directory now (removed and made again)", dir);
        close(dfd);
        return false;
    }
    char tmp[600];
    snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", name, (long)getpid());
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    if (!ok)
        snprintf(err, errlen, "cannot write %s/%s: %s", dir, tmp, strerror(errno));
    else if (!write_all(fd, data, len) || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write %s/%s: %s", dir, tmp, strerror(errno));
        ok = false;
    }
    if (fd >= 0 && close(fd) != 0 && ok) {
        snprintf(err, errlen, "cannot sync %s/%s: %s", dir, tmp, strerror(errno));
        ok = false;
    }
    if (ok && prev) {
        /* The copy being replaced stays readable as prev: linked to a
         * temporary name, then renamed over prev, so neither name is ever
         * missing or half written. */
        char ptmp[600];
        snprintf(ptmp, sizeof ptmp, ".%s.%ld.tmp", prev, (long)getpid());
        unlinkat(dfd, ptmp, 0);
        if (linkat(dfd, name, dfd, ptmp, 0) == 0 && renameat(dfd, ptmp, dfd, prev) != 0)
            unlinkat(dfd, ptmp, 0);
    }
    if (ok && renameat(dfd, tmp, dfd, name) != 0) {
        snprintf(err, errlen, "cannot rename %s/%s to %s: %s", dir, tmp, name, strerror(errno));
        ok = false;
    }
    if (!ok && fd >= 0)
        unlinkat(dfd, tmp, 0);
    /* The rename itself survives a crash only once the directory is synced. */
    if (ok)
        fsync(dfd);
    close(dfd);
    return ok;
}

char *engine_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > (64u << 20)) {
                snprintf(err, errlen, "%s is too large", path);
                free(buf);
                close(fd);
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

static pid_t read_pid(int fd)
{
    char b[32] = {0};
    ssize_t r = pread(fd, b, sizeof b - 1, 0);
    return r > 0 ? (pid_t)atol(b) : 0;
}

int engine_lock_task(const char *task_dir, pid_t *holder, char *err, size_t errlen)
{
    return engine_lock_named(task_dir, ENGINE_LOCK_FILE, holder, err, errlen);
}

pid_t engine_lock_holder(const char *task_dir)
{
    return engine_lock_holder_named(task_dir, ENGINE_LOCK_FILE);
}

int engine_lock_named(const char *task_dir, const char *file, pid_t *holder, char *err,
                      size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", task_dir, file);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        pid_t p = read_pid(fd);
        if (holder)
            *holder = p;
        snprintf(err, errlen, "the task is already %s by pid %ld",
                 strcmp(file, ENGINE_LOCK_FILE) ? "supervised" : "being run", (long)p);
        close(fd);
        return -1;
    }
    char b[32];
    int n = snprintf(b, sizeof b, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, b, (size_t)n, 0) != n) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

pid_t engine_lock_holder_named(const char *task_dir, const char *file)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", task_dir, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    pid_t p = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0)
        p = read_pid(fd);
    else
        flock(fd, LOCK_UN);
    close(fd);
    return p;
}

bool engine_remove_tree(const char *path, char *err, size_t errlen)
{
    DIR *d = opendir(path);
    if (!d) {
        if (errno == ENOENT)
            return true;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    struct dirent *e;
    bool ok = true;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[4300];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            ok = engine_remove_tree(p, err, errlen) && ok;
        else if (unlink(p) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove %s: %s", p, strerror(errno));
            ok = false;
        }
    }
    closedir(d);
    if (ok && rmdir(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
        ok = false;
    }
    return ok;
}

bool engine_dir_id_of(const char *path, engine_dir_id *id)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    id->dev = (unsigned long long)st.st_dev;
    id->ino = (unsigned long long)st.st_ino;
    return true;
}

bool engine_dir_replaced(const char *path, const engine_dir_id *id)
{
    engine_dir_id now;
    if (!engine_dir_id_of(path, &now))
        return errno == ENOENT || errno == ENOTDIR; /* EACCES, EIO...: still there */
    return now.dev != id->dev || now.ino != id->ino;
}
