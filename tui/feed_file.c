#include "tui/feed_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Checking a stat twice a second costs nothing and notices a rewrite
 * (in place or by rename) within half a second. */
#define POLL_MS 500
/* A snapshot file larger than this is refused rather than read whole. */
#define MAX_FILE_BYTES (512L << 20)

typedef struct file_src {
    char *path;
    struct stat last; /* of the last attempt */
    bool have_last, last_failed;
} file_src;

static bool same_file_state(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static char *read_all(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot read %s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    if (st.st_size > MAX_FILE_BYTES) {
        snprintf(err, errlen, "%s is %lld bytes, more than the %ld a snapshot may have",
                 path, (long long)st.st_size, MAX_FILE_BYTES);
        fclose(f);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2; /* the file grew while we read it */
        char *nb = realloc(buf, cap);
        if (!nb)
            abort();
        buf = nb;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "cannot read %s: read error", path);
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void load(mt_feed *f, file_src *src, const struct stat *st)
{
    char err[512];
    size_t len = 0;
    char *text = read_all(src->path, &len, err, sizeof err);
    if (!text) {
        mt_feed_error(f, "%s", err);
        src->last_failed = true;
        return;
    }
    mt_snapshot *s = mt_snapshot_parse(text, len, err, sizeof err);
    free(text);
    if (!s) {
        mt_feed_error(f, "%s: %s", src->path, err);
        src->last_failed = true;
        return;
    }
    s->taken_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
    src->last_failed = false;
    mt_feed_publish(f, s);
}

static void run(mt_feed *f, void *backend)
{
    file_src *src = backend;
    do {
        struct stat st;
        if (stat(src->path, &st) != 0) {
            mt_feed_error(f, "cannot read %s: %s", src->path, strerror(errno));
            src->have_last = false;
            continue;
        }
        if (src->have_last && same_file_state(&st, &src->last))
            continue; /* unchanged: the error or the data on screen still holds */
        src->last = st;
        src->have_last = true;
        load(f, src, &st);
    } while (mt_feed_wait(f, POLL_MS));
}

static void src_free(void *p)
{
    file_src *src = p;
    free(src->path);
    free(src);
}

mt_feed *feed_file_new(const char *path)
{
    file_src *src = calloc(1, sizeof *src);
    if (!src)
        abort();
    src->path = strdup(path);
    char label[300];
    snprintf(label, sizeof label, "file %s", path);
    return mt_feed_new(label, run, src, src_free);
}
