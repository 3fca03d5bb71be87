#include "wizards/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"
#include "wizards/endpoint.h"

/* User schemas: not the system ones, not other sessions' temp schemas,
 * not those an extension owns (migrated by CREATE EXTENSION). */
static const char *const SCHEMAS_SQL =
    "SELECT n.nspname FROM pg_namespace n "
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass "
    "AND d.objid = n.oid AND d.deptype = 'e') "
    "ORDER BY 1";

wiz_catalog *wiz_catalog_new(const pgp_endpoint *ep)
{
    wiz_catalog *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    pgp_endpoint_copy(&c->ep, ep);
    return c;
}

void wiz_catalog_free(void *arg)
{
    wiz_catalog *c = arg;
    if (!c)
        return;
    wiz_endpoint_wipe_free(&c->ep);
    for (size_t i = 0; i < c->n_schemas; i++)
        free(c->schemas[i]);
    free(c->schemas);
    pgp_tables_free(&c->tables);
    free(c);
}

void wiz_catalog_run(wiz_job *j, void *arg)
{
    wiz_catalog *c = arg;
    wiz_job_progress(j, "connecting to %s", pgp_endpoint_label(&c->ep));
    PGconn *conn = pgp_connect_cancelable(&c->ep, "migtop wizard", 10, false,
                                          wiz_job_cancel_flag(j), &c->err);
    if (!conn)
        return;
    wiz_job_progress(j, "reading the schemas");
    PGresult *r = pgp_query(conn, SCHEMAS_SQL, 0, NULL, &c->err);
    if (!r) {
        PQfinish(conn);
        return;
    }
    int n = PQntuples(r);
    c->schemas = calloc((size_t)n + 1, sizeof *c->schemas);
    arena a;
    arena_init(&a);
    mt_objects o = {.white = arena_alloc(&a, sizeof *o.white * ((size_t)n + 1))};
    for (int i = 0; i < n; i++) {
        c->schemas[c->n_schemas++] = strdup(PQgetvalue(r, i, 0));
        o.white[o.n_white++] = (mt_schema_obj){.schema = arena_strdup(&a, PQgetvalue(r, i, 0)),
                                               .is_all = true};
    }
    PQclear(r);
    wiz_job_progress(j, "reading the tables of %d schemas", n);
    c->ok = !o.n_white || pgp_tables_resolve(conn, &o, &c->tables, &c->err);
    arena_free(&a);
    PQfinish(conn);
}

static bool was_checked(const form_item *old, int n_old, const char *schema, const char *table)
{
    const char *cur_schema = NULL;
    for (int i = 0; i < n_old; i++) {
        if (old[i].depth == 0)
            cur_schema = old[i].label;
        bool same_schema = cur_schema && !strcmp(cur_schema, schema);
        if (!same_schema)
            continue;
        if (!table && old[i].depth == 0)
            return old[i].checked;
        if (table && old[i].depth == 1 && !strcmp(old[i].label, table))
            return old[i].checked;
    }
    return false;
}

void wiz_catalog_fill(const wiz_catalog *c, form_field *list)
{
    form_item *old = list->items;
    int n_old = list->n_items;
    list->items = NULL;
    list->n_items = 0;
    list->item_cursor = -1;
    for (size_t s = 0; s < c->n_schemas; s++) {
        int schema_row = list->n_items;
        size_t count = 0;
        for (size_t t = 0; t < c->tables.n; t++)
            count += !strcmp(c->tables.v[t].schema, c->schemas[s]);
        char detail[128];
        snprintf(detail, sizeof detail, "%zu table%s", count, count == 1 ? "" : "s");
        form_item_add(list, c->schemas[s], detail, 0, was_checked(old, n_old, c->schemas[s], NULL));
        for (size_t t = 0; t < c->tables.n; t++) {
            const pgp_table *tb = &c->tables.v[t];
            if (strcmp(tb->schema, c->schemas[s]))
                continue;
            char size[32], rows[48];
            fmt_bytes((uint64_t)(tb->bytes > 0 ? tb->bytes : 0), size, sizeof size);
            if (tb->reltuples < 0)
                snprintf(rows, sizeof rows, "rows unknown (never analyzed)");
            else
                snprintf(rows, sizeof rows, "~%lld rows", (long long)tb->reltuples);
            snprintf(detail, sizeof detail, "%s  %s", size, rows);
            bool on = list->items[schema_row].checked ||
                      was_checked(old, n_old, tb->schema, tb->name);
            form_item_add(list, tb->name, detail, 1, on);
        }
    }
    for (int i = 0; i < n_old; i++) {
        free(old[i].label);
        free(old[i].detail);
    }
    free(old);
}
