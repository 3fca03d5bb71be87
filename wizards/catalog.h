/* The source's tables for the create wizard's object browser: every user
 * schema, and in each the tables pgprobe's object resolution selects for
 * the whole schema (so the browser offers exactly what a migration of
 * that schema would copy), with their size and row estimate. Runs on a
 * wiz_job. */
#ifndef MIGTOP_TUI_WIZ_CATALOG_H
#define MIGTOP_TUI_WIZ_CATALOG_H

#include "pgprobe/objects.h"
#include "wizards/form.h"
#include "wizards/job.h"

typedef struct wiz_catalog {
    pgp_endpoint ep;  /* input (own copy) */
    bool ok;
    pgp_error err;
    char **schemas;   /* every user schema, also the empty ones */
    size_t n_schemas;
    pgp_tables tables; /* schema, name order */
} wiz_catalog;

wiz_catalog *wiz_catalog_new(const pgp_endpoint *ep);
void wiz_catalog_run(wiz_job *j, void *arg);
void wiz_catalog_free(void *arg);
/* Fills a checklist: one row per schema, its tables under it with
 * "12.0 MiB  ~10,000 rows". Rows checked before (same label path) stay
 * checked. */
void wiz_catalog_fill(const wiz_catalog *c, form_field *list);

#endif
