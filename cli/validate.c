/* `migtop validate`: row counts and range checksums of the migration
 * objects' tables, source against sink (pgprobe/validate.h); every table,
 * every mismatching range with its key bounds and the rows found in it.
 * Exit 1 on any mismatch, so a cutover script can stop on it. */
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pgprobe/conn.h"
#include "pgprobe/validate.h"
#include "cli/commands.h"
#include "cli/probe_args.h"

static volatile bool interrupted;
static volatile sig_atomic_t interrupt_sig; /* which one: the exit is 128 + it */

static void on_signal(int sig)
{
    interrupt_sig = sig;
    interrupted = true;
}

/* A progress line on a terminal; nothing when stderr is a pipe or file. */
static bool show_progress(void *ud, const pgp_val_progress *p)
{
    (void)ud;
    fprintf(stderr, "\r%zu/%zu %-60.60s", p->done, p->total, p->table->qname);
    if (p->done == p->total)
        fputs("\r\033[K", stderr);
    return true;
}

static const char *ROW_KIND[] = {"missing on the sink", "extra on the sink", "changed"};
static const char *ROW_KIND_ID[] = {"missing", "extra", "changed"};

static cJSON *str_array(const char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; v && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

static const char *LOB_KIND_ID[] = {"missing", "extra", "changed"};

static cJSON *lobs_json(const pgp_lob_report *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "referenced_by", l->refs ? l->refs : "");
    if (l->problem)
        cJSON_AddStringToObject(o, "problem", l->problem);
    cJSON_AddNumberToObject(o, "source_count", (double)l->source_count);
    cJSON_AddNumberToObject(o, "sink_count", (double)l->sink_count);
    cJSON_AddNumberToObject(o, "source_bytes", (double)l->source_bytes);
    cJSON_AddBoolToObject(o, "match", pgp_lobs_ok(l));
    cJSON *d = cJSON_AddArrayToObject(o, "differences");
    for (size_t i = 0; i < l->n_diff; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "oid", l->diff[i].oid);
        cJSON_AddStringToObject(x, "kind", LOB_KIND_ID[l->diff[i].kind]);
        cJSON_AddItemToArray(d, x);
    }
    return o;
}

static void print_json(const pgp_val_report *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *tabs = cJSON_AddArrayToObject(root, "tables");
    for (size_t i = 0; i < r->n_tables; i++) {
        const pgp_val_table *t = &r->tables[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "schema", t->schema);
        cJSON_AddStringToObject(o, "name", t->name);
        cJSON_AddItemToObject(o, "key", str_array(t->key, t->n_key));
        cJSON_AddBoolToObject(o, "match", t->match);
        if (t->problem)
            cJSON_AddStringToObject(o, "problem", t->problem);
        if (t->source_rows >= 0) {
            cJSON_AddNumberToObject(o, "source_rows", (double)t->source_rows);
            cJSON_AddNumberToObject(o, "sink_rows", (double)t->sink_rows);
        }
        cJSON_AddNumberToObject(o, "ranges", (double)t->n_ranges);
        cJSON_AddNumberToObject(o, "ranges_checked", (double)t->n_checked);
        cJSON_AddNumberToObject(o, "ranges_mismatched", (double)t->n_mismatch);
        cJSON_AddBoolToObject(o, "one_scan", t->one_scan);
        cJSON *bad = cJSON_AddArrayToObject(o, "mismatches");
        for (size_t k = 0; k < t->n_ranges; k++) {
            const pgp_val_range *g = &t->ranges[k];
            if (!g->checked || g->match)
                continue;
            cJSON *m = cJSON_CreateObject();
            cJSON_AddNumberToObject(m, "range", (double)g->index);
            cJSON_AddStringToObject(m, "where", g->where);
            cJSON_AddItemToObject(m, "from", g->lo ? str_array(g->lo, t->n_key) : cJSON_CreateNull());
            cJSON_AddItemToObject(m, "to", g->hi ? str_array(g->hi, t->n_key) : cJSON_CreateNull());
            cJSON_AddNumberToObject(m, "source_rows", (double)g->source_rows);
            cJSON_AddNumberToObject(m, "sink_rows", (double)g->sink_rows);
            if (g->error)
                cJSON_AddStringToObject(m, "error", g->error);
            cJSON *rows = cJSON_AddArrayToObject(m, "rows");
            for (size_t x = 0; x < g->n_rows; x++) {
                cJSON *row = cJSON_CreateObject();
                cJSON_AddStringToObject(row, "key", g->rows[x].key);
                cJSON_AddStringToObject(row, "kind", ROW_KIND_ID[g->rows[x].kind]);
                cJSON_AddItemToArray(rows, row);
            }
            cJSON_AddNumberToObject(m, "rows_differing", (double)g->n_rows_total);
            cJSON_AddItemToArray(bad, m);
        }
        cJSON_AddItemToArray(tabs, o);
    }
    cJSON_AddItemToObject(root, "missing_objects", str_array(r->missing, r->n_missing));
    if (r->lobs.checked)
        cJSON_AddItemToObject(root, "large_objects", lobs_json(&r->lobs));
    cJSON_AddStringToObject(root, "mode", r->full ? "full" : "sample");
    cJSON_AddBoolToObject(root, "snapshot", r->snapshot);
    cJSON_AddBoolToObject(root, "cancelled", r->cancelled);
    cJSON_AddNumberToObject(root, "seconds", r->seconds);
    cJSON_AddBoolToObject(root, "ok", pgp_val_ok(r));
    char *s = cJSON_Print(root);
    if (s)
        puts(s);
    free(s);
    cJSON_Delete(root);
}

static const char *count_str(char *buf, size_t n, int64_t v)
{
    if (v < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%lld", (long long)v);
    return buf;
}

static void print_text(const pgp_val_report *r)
{
    size_t w = 5;
    for (size_t i = 0; i < r->n_tables; i++)
        if (strlen(r->tables[i].qname) > w)
            w = strlen(r->tables[i].qname);
    printf("%-*s   %12s   %12s   %-9s   %s\n", (int)w, "TABLE", "SOURCE ROWS", "SINK ROWS",
           "RANGES", "RESULT");
    for (size_t i = 0; i < r->n_tables; i++) {
        const pgp_val_table *t = &r->tables[i];
        char a[24], b[24], g[24];
        snprintf(g, sizeof g, "%zu/%zu", t->n_checked, t->n_ranges);
        printf("%-*s   %12s   %12s   %-9s   %s\n", (int)w, t->qname,
               count_str(a, sizeof a, t->source_rows), count_str(b, sizeof b, t->sink_rows), g,
               t->match ? "ok" : t->problem ? t->problem : "MISMATCH");
    }
    for (size_t i = 0; i < r->n_tables; i++) {
        const pgp_val_table *t = &r->tables[i];
        if (t->one_scan)
            printf("%s: key not in physical order: each side read in one scan\n", t->qname);
        if (!t->problem && t->source_rows != t->sink_rows)
            printf("%s: %lld rows on the source, %lld on the sink\n", t->qname,
                   (long long)t->source_rows, (long long)t->sink_rows);
        for (size_t k = 0; k < t->n_ranges; k++) {
            const pgp_val_range *g = &t->ranges[k];
            if (!g->checked || g->match)
                continue;
            if (g->error)
                printf("%s: range %s: %s\n", t->qname, g->where, g->error);
            else
                printf("%s: range %s: %lld rows on the source, %lld on the sink, %s\n",
                       t->qname, g->where, (long long)g->source_rows, (long long)g->sink_rows,
                       g->source_rows == g->sink_rows ? "checksums differ" : "counts differ");
            for (size_t x = 0; x < g->n_rows; x++)
                printf("    %s %s\n", g->rows[x].key, ROW_KIND[g->rows[x].kind]);
            if (g->n_rows_total > g->n_rows)
                printf("    ... %zu more rows differ\n", g->n_rows_total - g->n_rows);
        }
    }
    for (size_t i = 0; i < r->n_missing; i++)
        printf("%s: named in --migration-object but not found on the source\n", r->missing[i]);
    if (!r->n_tables && !r->n_missing)
        puts("(the migration objects select no table)");
    if (r->lobs.checked) {
        arena a;
        arena_init(&a);
        printf("%s\n", pgp_lob_summary(&a, &r->lobs));
        arena_free(&a);
    }
    printf("%s in %.2f s (%s mode%s)%s\n", pgp_val_ok(r) ? "OK" : "MISMATCH", r->seconds,
           r->full ? "full" : "sampled", r->snapshot ? ", one snapshot per side" : "",
           r->cancelled ? ", interrupted" : "");
}

static int run(probe_args *p, pgp_val_opts *opt)
{
    pgp_error err = {0};
    pgp_val_report r = {0};
    int rc = 3;
    opt->timeout_s = p->timeout;
    opt->cancel = &interrupted;
    if (isatty(STDERR_FILENO))
        opt->progress = show_progress;
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    bool ran = pgp_validate(&p->src, &p->snk, &p->objs, opt, &r, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (!ran) {
        probe_args_error(p, &err);
    } else {
        if (p->json)
            print_json(&r);
        else
            print_text(&r);
        /* Interrupted: the shell's convention, 130 after Ctrl-C. */
        rc = r.cancelled ? 128 + (interrupt_sig ? (int)interrupt_sig : SIGINT)
                         : pgp_val_ok(&r) ? 0 : 1;
    }
    pgp_val_report_free(&r);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    probe_args p;
    probe_args_init(&p, "validate", argc);
    pgp_val_opts opt = {0};
    long long n = 0;
    int rc = 2, t;
    for (int i = 1; i < argc;) {
        const char *v = NULL;
        if ((t = probe_args_take(&p, argc, argv, &i))) {
            if (t < 0) {
                rc = t == -2 ? 0 : 2;
                goto out;
            }
        } else if (!strcmp(argv[i], "--full")) {
            opt.full = true;
            i++;
        } else if (!strcmp(argv[i], "--no-rows")) {
            opt.no_rows = true;
            i++;
        } else if ((t = probe_args_value(&p, "--sample", argc, argv, &i, &v))) {
            if (t < 0 || !probe_args_number(&p, "--sample", v, 1, 100000, &n))
                goto out;
            opt.sample = (int)n;
        } else if ((t = probe_args_value(&p, "--range-rows", argc, argv, &i, &v))) {
            if (t < 0 || !probe_args_number(&p, "--range-rows", v, 100, 1000000000, &n))
                goto out;
            opt.range_rows = n;
        } else if ((t = probe_args_value(&p, "--jobs", argc, argv, &i, &v))) {
            if (t < 0 || !probe_args_number(&p, "--jobs", v, 1, 32, &n))
                goto out;
            opt.jobs = (int)n;
        } else if ((t = probe_args_value(&p, "--seed", argc, argv, &i, &v))) {
            if (t < 0 || !probe_args_number(&p, "--seed", v, 1, 4294967295LL, &n))
                goto out;
            opt.seed = (unsigned)n;
        } else {
            fprintf(stderr, "migtop validate: unexpected argument \"%s\"\n", argv[i]);
            goto out;
        }
    }
    if (opt.full && opt.sample) {
        fprintf(stderr, "migtop validate: --full and --sample exclude each other\n");
        goto out;
    }
    if (!(rc = probe_args_finish(&p)))
        rc = run(&p, &opt);
out:
    probe_args_free(&p);
    return rc;
}
