/* `migtop sequences`: every sequence of the migration objects' schemas on
 * the source and the sink, the setval plan that brings the sink level with
 * the source, and with --apply that plan run on the sink in one
 * transaction, re-read and compared (pgprobe/sequences.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/conn.h"
#include "pgprobe/sequences.h"
#include "cli/commands.h"
#include "cli/probe_args.h"

static const char *value_str(char *buf, size_t n, pgp_seq_value v)
{
    snprintf(buf, n, "%lld%s", (long long)v.last_value, v.is_called ? "" : " (not called)");
    return buf;
}

static cJSON *value_json(pgp_seq_value v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "last_value", (double)v.last_value);
    /* Exact text too: a double cannot hold every bigint. */
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v.last_value);
    cJSON_AddStringToObject(o, "last_value_text", b);
    cJSON_AddBoolToObject(o, "is_called", v.is_called);
    return o;
}

static void print_json(pgp_seq_report *r, bool ok)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "sequences");
    for (size_t i = 0; i < r->n; i++) {
        const pgp_seq *s = &r->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "schema", s->schema);
        cJSON_AddStringToObject(o, "name", s->name);
        cJSON_AddBoolToObject(o, "needed", s->needed);
        cJSON_AddItemToObject(o, "source", value_json(s->source));
        cJSON_AddItemToObject(o, "sink", s->on_sink ? value_json(s->sink) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "target", value_json(s->target));
        cJSON_AddStringToObject(o, "state", pgp_seq_state_id(s->state));
        if (s->setval_sql)
            cJSON_AddStringToObject(o, "setval", s->setval_sql);
        if (r->applied || s->verified) {
            cJSON_AddItemToObject(o, "after", value_json(s->after));
            cJSON_AddBoolToObject(o, "verified", s->verified);
        }
        cJSON_AddItemToArray(arr, o);
    }
    cJSON_AddStringToObject(root, "plan", pgp_seq_plan_sql(r));
    cJSON_AddNumberToObject(root, "margin", (double)r->margin);
    cJSON_AddBoolToObject(root, "applied", r->applied);
    cJSON_AddBoolToObject(root, "ok", ok);
    char *s = cJSON_Print(root);
    if (s)
        puts(s);
    free(s);
    cJSON_Delete(root);
}

static void print_text(pgp_seq_report *r, bool apply, bool ok)
{
    size_t w = 8;
    for (size_t i = 0; i < r->n; i++) {
        size_t l = strlen(r->v[i].qname);
        if (l > w)
            w = l;
    }
    printf("%-*s   %-24s   %-24s   %s\n", (int)w, "SEQUENCE", "SOURCE", "SINK", "STATE");
    for (size_t i = 0; i < r->n; i++) {
        const pgp_seq *s = &r->v[i];
        char a[48], b[48];
        const char *state = pgp_seq_state_id(s->state);
        if (apply && s->state == PGP_SEQ_SET)
            state = s->verified ? "set, verified" : "set, NOT VERIFIED";
        printf("%-*s   %-24s   %-24s   %s\n", (int)w, s->qname, value_str(a, sizeof a, s->source),
               s->on_sink ? value_str(b, sizeof b, apply ? s->after : s->sink) : "-", state);
    }
    if (!r->n)
        puts("(no sequence in the migration objects' schemas)");
    const char *plan = pgp_seq_plan_sql(r);
    if (*plan && !apply)
        printf("\nPlan for the sink (run with --apply, or by hand):\n%s", plan);
    else if (apply && r->applied)
        puts("\nApplied on the sink in one transaction and re-read.");
    else if (!*plan)
        puts("\nNothing to set.");
    for (size_t i = 0; i < r->n; i++) {
        const pgp_seq *s = &r->v[i];
        if (s->state == PGP_SEQ_MISSING)
            printf("error: %s is missing on the sink (the migration objects use it)\n", s->qname);
        else if (s->state == PGP_SEQ_OUT_OF_RANGE)
            printf("error: %s: %lld is outside the sink sequence's range %lld..%lld\n", s->qname,
                   (long long)s->target.last_value, (long long)s->sink_min,
                   (long long)s->sink_max);
        else if (s->state == PGP_SEQ_SINK_AHEAD)
            printf("note: %s is further on the sink than on the source; left as it is\n",
                   s->qname);
    }
    printf("%s\n", ok ? "OK" : "NOT IN SYNC");
}

static int run(probe_args *p, bool apply, long long margin)
{
    pgp_error err = {0};
    PGconn *cs = NULL, *ck = NULL;
    pgp_seq_report r = {0};
    int rc = 3;
    if (!(cs = pgp_connect(&p->src, "migtop sequences", p->timeout, false, &err)) ||
        !(ck = pgp_connect(&p->snk, "migtop sequences", p->timeout, false, &err)) ||
        !pgp_seq_read(cs, ck, &p->objs, margin, &r, &err) ||
        (apply && !pgp_seq_apply(ck, &r, &err))) {
        probe_args_error(p, &err);
    } else {
        bool ok = pgp_seq_ok(&r);
        if (p->json)
            print_json(&r, ok);
        else
            print_text(&r, apply, ok);
        rc = ok ? 0 : 1;
    }
    pgp_seq_report_free(&r);
    if (cs)
        PQfinish(cs);
    if (ck)
        PQfinish(ck);
    return rc;
}

int cmd_sequences(int argc, char **argv)
{
    probe_args p;
    probe_args_init(&p, "sequences", argc);
    bool apply = false;
    long long margin = 0;
    int rc = 2, t;
    for (int i = 1; i < argc;) {
        const char *v = NULL;
        if ((t = probe_args_take(&p, argc, argv, &i))) {
            if (t < 0) {
                rc = t == -2 ? 0 : 2;
                goto out;
            }
        } else if (!strcmp(argv[i], "--apply")) {
            apply = true;
            i++;
        } else if ((t = probe_args_value(&p, "--margin", argc, argv, &i, &v))) {
            if (t < 0 || !probe_args_number(&p, "--margin", v, 0, 1000000000000LL, &margin))
                goto out;
        } else {
            fprintf(stderr, "migtop sequences: unexpected argument \"%s\"\n", argv[i]);
            goto out;
        }
    }
    if (!(rc = probe_args_finish(&p)))
        rc = run(&p, apply, margin);
out:
    probe_args_free(&p);
    return rc;
}
