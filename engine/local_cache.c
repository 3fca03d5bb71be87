#include "engine/local_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/local_objects.h"
#include "engine/taskdir.h"

typedef struct entry {
    char *name;
    mt_snapshot *part;
    uint64_t sig;    /* its files as they were just before they were read */
    int64_t read_ms; /* monotonic */
    bool live;
    bool named; /* by local_cache_unseen */
} entry;

struct local_cache {
    char state_dir[4096];
    mt_snapshot *tmpl;
    entry *e; /* sorted by name, as engine_list_tasks sorts */
    size_t n, cap;
    bool listed; /* a full pass has seen every task */
    size_t last_used; /* the arena bytes of the last task read: a new one's guess */
};

local_cache *local_cache_new(const char *state_dir)
{
    local_cache *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    snprintf(c->state_dir, sizeof c->state_dir, "%s", state_dir);
    c->tmpl = engine_local_template_part();
    return c;
}

static void drop(entry *e)
{
    free(e->name);
    mt_snapshot_free(e->part);
}

void local_cache_free(local_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        drop(&c->e[i]);
    free(c->e);
    mt_snapshot_free(c->tmpl);
    free(c);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

/* Changes whenever one of the files a task is shown from is replaced,
 * rewritten, made or removed (a lock is rewritten by each process that
 * takes it). */
static uint64_t files_sig(const char *state_dir, const char *name)
{
    uint64_t h = 0;
    for (size_t k = 0; k < ENGINE_SHOWN_FILES; k++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/tasks/%s/%s", state_dir, name, engine_shown_files[k]);
        struct stat st;
        if (stat(path, &st) == 0)
            h = mix(mix(mix(h, (uint64_t)st.st_ino), (uint64_t)st.st_size),
                    (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec);
        else
            h = mix(h, k + 1);
    }
    return h;
}

/* Reads e's task again; false when it cannot be read (being made or
 * removed, a spec that does not parse): it is then not shown. */
static bool reread(local_cache *c, entry *e)
{
    /* before reading: a change while it is read shows at the next pass */
    e->sig = files_sig(c->state_dir, e->name);
    bool live = false;
    /* a little more than last time: a status grows as a task goes on */
    size_t expect = (e->part ? e->part->mem.used_total : c->last_used) + 256;
    mt_snapshot *p = engine_local_task_part(c->state_dir, e->name, expect, &live);
    if (!p)
        return false;
    c->last_used = p->mem.used_total;
    mt_snapshot_free(e->part);
    e->part = p;
    e->live = live;
    e->read_ms = fmt_mono_ms();
    return true;
}

static bool due(const entry *e, int64_t due_ms, int64_t now)
{
    return e->live && now - e->read_ms >= due_ms;
}

/* Where name is, or where it would go. */
static size_t find(const local_cache *c, const char *name, bool *found)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(c->e[mid].name, name);
        if (!r) {
            *found = true;
            return mid;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static void remove_at(local_cache *c, size_t i)
{
    drop(&c->e[i]);
    memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof *c->e);
    c->n--;
}

static void grow(local_cache *c, size_t need)
{
    if (need <= c->cap)
        return;
    c->cap = c->cap ? c->cap : 64;
    while (c->cap < need)
        c->cap *= 2;
    c->e = realloc(c->e, c->cap * sizeof *c->e);
    if (!c->e)
        abort();
}

/* A task told changed: read again, added, or let go when it cannot be
 * read any more. */
static void update_one(local_cache *c, const char *name)
{
    bool found;
    size_t i = find(c, name, &found);
    if (found) {
        if (!reread(c, &c->e[i]))
            remove_at(c, i);
        return;
    }
    entry e = {.name = strdup(name)};
    if (!e.name)
        abort();
    if (!reread(c, &e)) {
        free(e.name);
        return;
    }
    grow(c, c->n + 1);
    memmove(&c->e[i + 1], &c->e[i], (c->n - i) * sizeof *c->e);
    c->e[i] = e;
    c->n++;
}

/* Lists STATE/tasks (the first max names) and keeps each task whose
 * files have not changed; returns whether anything did. */
static bool full_pass(local_cache *c, size_t max, int64_t due_ms, size_t *total)
{
    char **names;
    size_t n = engine_list_tasks(c->state_dir, &names);
    *total = n;
    entry *next = calloc(n ? n : 1, sizeof *next);
    if (!next)
        abort();
    size_t k = 0, j = 0;
    bool changed = false;
    int64_t now = fmt_mono_ms();
    for (size_t i = 0; i < n && i < max; i++) {
        while (j < c->n && strcmp(c->e[j].name, names[i]) < 0) {
            drop(&c->e[j++]); /* gone */
            changed = true;
        }
        entry e = {0};
        if (j < c->n && !strcmp(c->e[j].name, names[i]))
            e = c->e[j++];
        else
            e.name = strdup(names[i]);
        if (!e.part || due(&e, due_ms, now) || files_sig(c->state_dir, e.name) != e.sig) {
            changed = true;
            if (!reread(c, &e)) {
                drop(&e);
                continue;
            }
        }
        next[k++] = e;
    }
    changed |= j < c->n;
    while (j < c->n)
        drop(&c->e[j++]);
    engine_free_names(names, n);
    free(c->e);
    c->e = next;
    c->n = k;
    c->cap = n ? n : 1;
    c->listed = max >= n;
    return changed;
}

static mt_snapshot *snapshot_of(const local_cache *c)
{
    mt_snapshot *s = mt_snapshot_new();
    s->taken_ms = fmt_now_ms();
    mt_snapshot_add_part(s, c->tmpl);
    for (size_t i = 0; i < c->n; i++)
        mt_snapshot_add_part(s, c->e[i].part);
    mt_snapshot_sort(s);
    return s;
}

mt_snapshot *local_cache_snapshot(local_cache *c, const local_changes *ch, bool *changed)
{
    bool any = false;
    size_t total;
    if (ch->all || !c->listed) {
        any = full_pass(c, SIZE_MAX, ch->due_ms, &total);
    } else {
        any = ch->n > 0;
        for (size_t i = 0; i < ch->n; i++)
            update_one(c, ch->tasks[i]);
        int64_t now = fmt_mono_ms();
        for (size_t i = c->n; i-- > 0;) {
            if (!due(&c->e[i], ch->due_ms, now))
                continue;
            any = true;
            if (!reread(c, &c->e[i]))
                remove_at(c, i);
        }
    }
    if (changed)
        *changed = any;
    return snapshot_of(c);
}

mt_snapshot *local_cache_first(local_cache *c, size_t max, size_t *total)
{
    full_pass(c, max, 0, total);
    mt_snapshot *s = snapshot_of(c);
    if (*total > max) {
        char note[200];
        snprintf(note, sizeof note, "reading the local tasks: the first %zu of %zu shown, the "
                 "rest in a moment", max, *total);
        mt_snapshot_notice(s, note);
    }
    return s;
}

bool local_cache_live(const local_cache *c)
{
    if (!c->listed)
        return true; /* not all seen: none known finished */
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].live)
            return true;
    return false;
}

size_t local_cache_unseen(local_cache *c, const char **names, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n && k < max; i++) {
        if (c->e[i].named)
            continue;
        c->e[i].named = true;
        names[k++] = c->e[i].name;
    }
    return k;
}
