/* Shared state of one precheck run, split by topic over precheck_*.c. */
#ifndef MIGTOP_PGPROBE_PRECHECK_INTERNAL_H
#define MIGTOP_PGPROBE_PRECHECK_INTERNAL_H

#include "model/strbuf.h"
#include "pgprobe/objects.h"
#include "pgprobe/precheck.h"

typedef struct pgp_pc {
    const pgp_precheck_input *in;
    pgp_report *rep;
    PGconn *src, *sink;   /* NULL when that side could not be reached */
    pgp_tables tables;    /* the selected tables on the source */
    bool have_tables;
    char *oids;           /* {oid,...} of the tables */
    char src_user[128], sink_user[128];
    char src_db[128], sink_db[128];
    char client_addr[64]; /* this host as the source sees it (for pg_hba lines) */
    bool src_super, sink_super;
} pgp_pc;

/* A growing text for found/fix lists. */
typedef struct pc_text {
    strbuf b;
    size_t items; /* lines added with pc_item */
} pc_text;
void pc_printf(pc_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A list line, capped: after `max` lines one "... and N more" closes it. */
void pc_item(pc_text *t, size_t max, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pc_item_close(pc_text *t, size_t max);
const char *pc_str(const pc_text *t); /* "" when empty */
void pc_text_free(pc_text *t);

/* Quoted identifier / literal, owned by the report's arena. */
const char *pc_ident(pgp_pc *pc, PGconn *c, const char *name);
const char *pc_literal(pgp_pc *pc, PGconn *c, const char *text);
/* A pg_hba.conf line for this client; replication for the walsender line. */
const char *pc_hba_line(pgp_pc *pc, const char *user, const char *db, bool replication,
                        const char *server_msg);
/* Adds a "<side>.query" failing check for an unexpected query error. */
void pc_query_failed(pgp_pc *pc, const char *id, const pgp_error *err);

void pc_source_server(pgp_pc *pc);      /* precheck_source.c */
void pc_leftovers(pgp_pc *pc);          /* precheck_source.c */
void pc_source_privileges(pgp_pc *pc);  /* precheck_privileges.c */
void pc_sink_privileges(pgp_pc *pc);    /* precheck_sink.c */
void pc_replication(pgp_pc *pc);        /* precheck_replication.c */
void pc_objects(pgp_pc *pc);            /* precheck_objects.c */
void pc_types(pgp_pc *pc);              /* precheck_types.c */

#define PC_LIST_MAX 20

/* Whether the task runs on the KubeBlocks add-on's template (its refusals
 * apply), not on the local engine's ("local" or MT_LOCAL_TEMPLATE). */
bool pc_kubeblocks_template(const pgp_pc *pc);

#endif
