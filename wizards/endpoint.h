/* A PostgreSQL endpoint as the create wizard asks for it: host, port,
 * database, user and a masked password, or one libpq URI / conninfo /
 * service=NAME string. Validation as typed, the pgprobe endpoint it makes,
 * and the connection test run on a wiz_job (the classified failure from
 * pgprobe, or the server and the values libpq actually used). */
#ifndef MIGTOP_TUI_WIZ_ENDPOINT_H
#define MIGTOP_TUI_WIZ_ENDPOINT_H

#include "pgprobe/conn.h"
#include "wizards/form.h"
#include "wizards/job.h"

enum { EPF_MODE, EPF_HOST, EPF_PORT, EPF_DB, EPF_USER, EPF_PASSWORD, EPF_URI, EPF_N };

/* The fields of one endpoint form (call wiz_endpoint_sync after a key:
 * the mode shows either the separate fields or the URI). */
void wiz_endpoint_fields(form_field f[EPF_N]);
void wiz_endpoint_sync(form *fm);
/* The pgprobe endpoint the form describes; false with err when the
 * values cannot make one. flag: "source" or "sink", for messages. */
bool wiz_endpoint_make(form *fm, const char *flag, pgp_endpoint *ep, pgp_error *err);

/* What a connection test found. The resolved values are those libpq
 * connected with (a URI or a service filled them in); password stays in
 * memory only and is wiped when the result is freed. */
typedef struct wiz_conn_test {
    pgp_endpoint ep;    /* input (own copy) */
    char flag[16];
    bool ok;
    pgp_error err;
    char server[64];    /* "PostgreSQL 15.8" */
    char host[256], port[16], db[256], user[256], password[256];
    char label[1024];   /* user@host:port/db */
} wiz_conn_test;

/* Starts nothing: allocates the test for ep (copied). */
wiz_conn_test *wiz_conn_test_new(const pgp_endpoint *ep, const char *flag);
void wiz_conn_test_run(wiz_job *j, void *arg);
void wiz_conn_test_free(void *arg);
/* A copy of a finished test (its own endpoint). */
wiz_conn_test *wiz_conn_test_clone(const wiz_conn_test *t);
/* "source: password authentication failed for user ... (fix: ...)" */
void wiz_conn_test_describe(const wiz_conn_test *t, char *buf, size_t n);

/* Zeroes the password keyword's value in place, then frees the endpoint. */
void wiz_endpoint_wipe_free(pgp_endpoint *ep);

#endif
