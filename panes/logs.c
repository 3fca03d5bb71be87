#include "panes/logs.h"

#include <string.h>
#include <strings.h>

#include "panes/tasklist.h"

void logs_header(doc *d, char *const *lines, size_t n, const logs_opts *o)
{
    doc_line *l = doc_add(d);
    doc_putf(d, l, P_HEADER, "step %s", o->step);
    doc_putf(d, l, P_DIM, "  follow %s  wrap %s  timestamps %s  %zu lines%s",
             o->follow ? "on" : "off", o->wrap ? "on" : "off", o->timestamps ? "on" : "off", n,
             o->dropped ? arena_printf(d->a, " (%zu older dropped)", o->dropped) : "");
    if (o->data_ms) { /* how fresh the log is, like every other pane */
        char age[32];
        fmt_duration_ms(o->now_ms > o->data_ms ? o->now_ms - o->data_ms : 0, age, sizeof age);
        doc_putf(d, l, o->now_ms - o->data_ms > 30000 ? P_WARN : P_DIM, "  data %s old", age);
    }
    /* The newest position line gives the position and, from its time, a lag. */
    for (size_t i = n; i-- > 0;) {
        mt_logpos p;
        if (!mt_log_position(lines[i], strlen(lines[i]), o->pod_tz, &p))
            continue;
        doc_line *pl = doc_add(d);
        char lsn[32] = "?";
        if (p.has_lsn)
            fmt_lsn(p.lsn, lsn, sizeof lsn);
        doc_putf(d, pl, P_HIGHLIGHT, "position %s", lsn);
        if (p.has_ts) {
            char lag[32];
            fmt_duration_ms((o->now - p.ts) * 1000, lag, sizeof lag);
            doc_put(d, pl, P_NORMAL, "  log lag ");
            doc_put(d, pl, tasklist_lag_role(o->now - p.ts, 5), arena_strdup(d->a, lag));
            if (!p.ts_had_zone)
                doc_putf(d, pl, P_DIM, " (pod zone %s assumed)", o->pod_tz_name);
        }
        break;
    }
    if (o->error)
        doc_wrap(d, P_ERROR, "error: ", o->error, 200);
    else if (o->done && o->follow)
        doc_text(d, P_DIM, "the log stream ended");
}

/* Splits one log line into segments with every search match marked. */
static void put_line(doc *d, doc_line *l, const char *s, size_t len, pane_role base,
                     const char *search, bool *matched)
{
    size_t sl = search ? strlen(search) : 0;
    size_t start = 0;
    for (size_t i = 0; sl && i + sl <= len;) {
        if (!strncasecmp(s + i, search, sl)) {
            if (i > start)
                doc_put(d, l, base, arena_strndup(d->a, s + start, i - start));
            doc_put(d, l, P_SELECTED, arena_strndup(d->a, s + i, sl));
            *matched = true;
            i += sl;
            start = i;
        } else {
            i++;
        }
    }
    if (start < len || !l->n)
        doc_put(d, l, base, arena_strndup(d->a, s + start, len - start));
}

void logs_build(doc *d, char *const *lines, size_t n, const logs_opts *o, int width,
                int **matches, int *n_matches)
{
    int cap = 16;
    *matches = arena_alloc(d->a, (size_t)cap * sizeof **matches);
    *n_matches = 0;
    if (width < 1)
        width = 1;
    for (size_t i = 0; i < n; i++) {
        const char *s = lines[i];
        size_t len = strlen(s);
        pane_role base = mt_log_is_position(s, len) ? P_HIGHLIGHT : P_NORMAL;
        /* Wrapping cuts at display columns; an unwrapped line is clipped. */
        size_t off = 0;
        do {
            size_t take = len - off;
            if (o->wrap) {
                int cols = 0;
                size_t k = off;
                while (k < len) {
                    size_t cl = 1;
                    while (k + cl < len && ((unsigned char)s[k + cl] & 0xC0) == 0x80)
                        cl++;
                    if (cols + 1 > width)
                        break;
                    cols++;
                    k += cl;
                }
                take = k - off;
            }
            doc_line *l = doc_add(d);
            bool matched = false;
            put_line(d, l, s + off, take, base, o->search, &matched);
            if (matched) {
                if (*n_matches == cap) {
                    int *nm = arena_alloc(d->a, (size_t)cap * 2 * sizeof *nm);
                    memcpy(nm, *matches, (size_t)cap * sizeof *nm);
                    *matches = nm;
                    cap *= 2;
                }
                (*matches)[(*n_matches)++] = d->n - 1;
            }
            off += take;
        } while (o->wrap && off < len);
    }
}
