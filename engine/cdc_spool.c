#include "engine/cdc_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cdc_spools_init(cdc_spools *ss, const char *dir)
{
    memset(ss, 0, sizeof *ss);
    snprintf(ss->dir, sizeof ss->dir, "%s", dir && *dir ? dir : "/tmp");
}

void cdc_spool_drop(cdc_spools *ss, cdc_spool *sp)
{
    if (!sp || !sp->xid)
        return;
    if (sp->f)
        fclose(sp->f);
    free(sp->aborted);
    memset(sp, 0, sizeof *sp);
    ss->open--;
}

void cdc_spools_free(cdc_spools *ss)
{
    for (int i = 0; i < CDC_SPOOL_MAX; i++)
        cdc_spool_drop(ss, &ss->s[i]);
}

cdc_spool *cdc_spool_find(cdc_spools *ss, uint32_t xid)
{
    for (int i = 0; i < CDC_SPOOL_MAX; i++)
        if (ss->s[i].xid == xid)
            return &ss->s[i];
    return NULL;
}

/* A file nobody else sees and that goes away with us, even after kill -9. */
static FILE *anonymous_file(const char *dir, uint32_t xid, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/cdc-stream-%u-XXXXXX", dir, xid);
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot keep streamed transaction %u in %s: %s", xid, dir,
                 strerror(errno));
        return NULL;
    }
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "cannot keep streamed transaction %u: %s", xid, strerror(errno));
    }
    return f;
}

static cdc_spool *open_spool(cdc_spools *ss, uint32_t xid, char *err, size_t errlen)
{
    cdc_spool *sp = cdc_spool_find(ss, 0);
    if (!sp) {
        snprintf(err, errlen, "more than %d streamed transactions open at once", CDC_SPOOL_MAX);
        return NULL;
    }
    FILE *f = anonymous_file(ss->dir, xid, err, errlen);
    if (!f)
        return NULL;
    sp->xid = xid;
    sp->f = f;
    ss->open++;
    return sp;
}

bool cdc_spool_add(cdc_spools *ss, uint32_t xid, uint32_t subxid, const char *msg, size_t len,
                   char *err, size_t errlen)
{
    cdc_spool *sp = cdc_spool_find(ss, xid);
    if (!sp && !(sp = open_spool(ss, xid, err, errlen)))
        return false;
    uint32_t head[2] = {subxid, (uint32_t)len};
    if (fwrite(head, sizeof head, 1, sp->f) != 1 || (len && fwrite(msg, len, 1, sp->f) != 1)) {
        snprintf(err, errlen, "cannot keep streamed transaction %u: %s", xid, strerror(errno));
        return false;
    }
    sp->changes++;
    sp->bytes += (int64_t)len;
    return true;
}

void cdc_spool_abort(cdc_spools *ss, uint32_t xid, uint32_t subxid)
{
    cdc_spool *sp = cdc_spool_find(ss, xid);
    if (!sp)
        return;
    if (subxid == xid) {
        cdc_spool_drop(ss, sp);
        return;
    }
    uint32_t *n = realloc(sp->aborted, (sp->n_aborted + 1) * sizeof *n);
    if (!n)
        abort();
    sp->aborted = n;
    sp->aborted[sp->n_aborted++] = subxid;
}

bool cdc_spool_rewind(cdc_spool *sp, char *err, size_t errlen)
{
    if (fflush(sp->f) != 0 || fseek(sp->f, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "cannot read back streamed transaction %u: %s", sp->xid,
                 strerror(errno));
        return false;
    }
    return true;
}

static bool rolled_back(const cdc_spool *sp, uint32_t subxid)
{
    for (size_t i = 0; i < sp->n_aborted; i++)
        if (sp->aborted[i] == subxid)
            return true;
    return false;
}

bool cdc_spool_next(cdc_spool *sp, char **buf, size_t *cap, size_t *len, char *err,
                    size_t errlen)
{
    err[0] = '\0';
    for (;;) {
        uint32_t head[2];
        if (fread(head, sizeof head, 1, sp->f) != 1) {
            if (ferror(sp->f))
                snprintf(err, errlen, "cannot read back streamed transaction %u", sp->xid);
            return false;
        }
        if (head[1] + 1 > *cap) {
            *cap = head[1] + 1;
            *buf = realloc(*buf, *cap);
            if (!*buf)
                abort();
        }
        if (head[1] && fread(*buf, head[1], 1, sp->f) != 1) {
            snprintf(err, errlen, "streamed transaction %u is cut short", sp->xid);
            return false;
        }
        if (rolled_back(sp, head[0]))
            continue;
        *len = head[1];
        return true;
    }
}
