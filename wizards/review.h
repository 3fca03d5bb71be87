/* The create wizard's answers, and its last step: the request they make
 * (the same mt_create_req `migtop create` builds), the object that will be
 * created shown as YAML with the passwords masked, pgprobe's precheck
 * report on the real source and sink, and the submit through the chosen
 * backend, each run off the UI thread. */
#ifndef MIGTOP_TUI_WIZ_REVIEW_H
#define MIGTOP_TUI_WIZ_REVIEW_H

#include "model/backend.h"
#include "pgprobe/conn.h"
#include "pgprobe/precheck.h"
#include "wizards/endpoint.h"
#include "wizards/wizard.h"

typedef struct create_endpoint {
    char host[256], port[16], db[256], user[256], password[256];
    pgp_endpoint ep; /* for the precheck; valid when have_ep */
    bool have_ep;
} create_endpoint;

typedef struct create_answers {
    wiz_host *host;
    bool kube;
    char context[FORM_VALUE_MAX], namespace_[FORM_VALUE_MAX], name[FORM_VALUE_MAX];
    char template_name[128];
    create_endpoint ep[2]; /* source, sink */
    char objects[8192];    /* "\"public.t1\",\"sales\"", as --migration-object */
    char steps[128];       /* as --steps */
    char sink_tables[16];  /* as --sink-tables: fail, truncate, append */
} create_answers;

/* The endpoint from its form, or from the values a successful connection
 * test resolved (a URI or service names them only indirectly). */
bool wiz_answers_endpoint(create_answers *s, int which, form *fm, const wiz_conn_test *tested,
                          char *err, size_t n);
/* --migration-object text from the checklist: a schema whose row is
 * checked is taken whole, else its checked tables one by one. */
void wiz_answers_objects(create_answers *s, const form_field *list);
/* The request; mask replaces the passwords by "****" (for showing). */
bool wiz_answers_request(const create_answers *s, arena *ar, bool mask, mt_create_req *req,
                         char *err, size_t n);
void wiz_answers_wipe(create_answers *s);

typedef struct wiz_review {
    char *yaml;        /* the object, passwords masked */
    pgp_report report; /* valid when have_report */
    bool have_report, checking, submitting;
    int n_fail;
    char error[512];   /* why the object could not be built */
} wiz_review;

void wiz_review_start(wiz_review *r, wiz *w, create_answers *s, bool cdc);
bool wiz_review_busy(const wiz_review *r);
void wiz_review_build(const wiz_review *r, doc *text, int width);
void wiz_review_submit(wiz_review *r, wiz *w, create_answers *s);
/* The end of a review job; true when the task was created (the detail
 * view is open and the wizard should close). */
bool wiz_review_news(wiz_review *r, wiz *w, wiz_host *h, create_answers *s, void *arg);
void wiz_review_free(wiz_review *r);

#endif
