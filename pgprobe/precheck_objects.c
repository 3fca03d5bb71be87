/* The migration objects exist, and every table can have its updates and
 * deletes replicated: a primary key, or a replica identity (an index or
 * FULL). Without one, logical decoding sends no old key, and with the
 * publication in place the source even refuses UPDATE/DELETE on it.
 * Also said here: large objects the tables reference are not streamed. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/identity.h"
#include "pgprobe/lobs.h"
#include "pgprobe/precheck_internal.h"

static void existence(pgp_pc *pc)
{
    const pgp_tables *t = &pc->tables;
    if (t->n_missing) {
        pc_text found = {0};
        for (size_t i = 0; i < t->n_missing; i++)
            pc_item(&found, PC_LIST_MAX, "%s", t->missing[i]);
        pc_item_close(&found, PC_LIST_MAX);
        pgp_report_add(pc->rep, "source.objects", "every migration object exists", PGP_CHECK_FAIL,
                       "check --migration-object: names are case-sensitive and written "
                       "schema.table, e.g. '\"Sales\".\"Order Items\"'",
                       "not found on the source (database %s):\n%s", pc->src_db, pc_str(&found));
        pc_text_free(&found);
    } else if (!t->n) {
        pgp_report_add(pc->rep, "source.objects", "every migration object exists", PGP_CHECK_FAIL,
                       "name at least one schema or table in --migration-object",
                       "the migration objects select no table in database %s", pc->src_db);
    } else {
        pc_text found = {0};
        for (size_t i = 0; i < t->n; i++)
            pc_item(&found, 8, "%s", t->v[i].qname);
        pc_item_close(&found, 8);
        for (char *p = found.b.s; p && *p; p++)
            if (*p == '\n')
                *p = ' ';
        pgp_report_add(pc->rep, "source.objects", "every migration object exists", PGP_CHECK_OK,
                       NULL, "%zu table(s): %s", t->n, pc_str(&found));
        pc_text_free(&found);
    }
}

static void replica_identity(pgp_pc *pc)
{
    pgp_error err;
    strbuf found = {0}, fix = {0};
    int n = pgp_missing_identity(pc->src, pc->oids, PC_LIST_MAX, &found, &fix, &err);
    const char *title = "every table has a primary key or replica identity";
    if (n < 0)
        pc_query_failed(pc, "source.replica_identity", &err);
    else if (!n)
        pgp_report_add(pc->rep, "source.replica_identity", title, PGP_CHECK_OK, NULL,
                       "all %zu table(s) have a primary key or a replica identity", pc->tables.n);
    else
        pgp_report_add(pc->rep, "source.replica_identity", title, PGP_CHECK_FAIL,
                       strbuf_str(&fix),
                       "%d table(s) whose UPDATE and DELETE cannot be replicated (and which the "
                       "source refuses to update once they are published):\n%s",
                       n, strbuf_str(&found));
    strbuf_free(&found);
    strbuf_free(&fix);
}

/* Tables with oid or lo columns: their large objects are copied by
 * init-data, but logical decoding never carries their changes. */
static void large_objects(pgp_pc *pc)
{
    cJSON *names = cJSON_CreateArray();
    for (size_t i = 0; i < pc->tables.n; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(pc->tables.v[i].qname));
    char *json = cJSON_PrintUnformatted(names);
    cJSON_Delete(names);
    if (!json)
        abort();
    char refs[512], count[32] = "";
    pgp_error err = {0};
    bool ok = pgp_lob_refs(pc->src, json, refs, sizeof refs, &err);
    free(json);
    if (!ok) {
        pc_query_failed(pc, "source.large_objects", &err);
        return;
    }
    const char *title = "large objects referenced by the tables";
    if (!refs[0]) {
        pgp_report_add(pc->rep, "source.large_objects", title, PGP_CHECK_OK, NULL,
                       "no column of type oid or lo");
        return;
    }
    pgp_query_value(pc->src, "SELECT count(*) FROM pg_largeobject_metadata", 0, NULL, count,
                    sizeof count, NULL);
    if (!strcmp(count, "0")) {
        pgp_report_add(pc->rep, "source.large_objects", title, PGP_CHECK_OK, NULL,
                       "%s may hold large-object oids, but the source has no large object", refs);
        return;
    }
    pgp_report_add(pc->rep, "source.large_objects", title, PGP_CHECK_WARN,
                   "keep large objects unchanged after init-data, or let the cutover's "
                   "validation gate compare them and copy the changed ones again (L)",
                   "%s large object(s) on the source, referenced by %s: init-data copies them "
                   "with their oids, but their changes after it are not streamed by CDC",
                   count[0] ? count : "?", refs);
}

void pc_objects(pgp_pc *pc)
{
    if (!pc->have_tables)
        return;
    existence(pc);
    if (pc->in->cdc && pc->tables.n)
        replica_identity(pc);
    if (pc->tables.n)
        large_objects(pc);
}
