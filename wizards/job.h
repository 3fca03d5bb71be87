/* Work a wizard runs off the UI thread (a connection test, a catalog
 * read, a create, a cleanup check): a function on a thread of its own
 * that writes its results into its argument and pokes a pipe the
 * dashboard's poll loop watches, like tui/logs_fetch.c. The UI never
 * waits: releasing a job only flags it cancelled, and whichever side lets
 * go last frees the argument (with the caller's free function, which
 * wipes any password in it). */
#ifndef MIGTOP_TUI_WIZ_JOB_H
#define MIGTOP_TUI_WIZ_JOB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wiz_job wiz_job;
typedef void (*wiz_job_fn)(wiz_job *j, void *arg);

/* Starts fn(j, arg) on a new thread; NULL (and arg freed) if it cannot. */
wiz_job *wiz_job_start(wiz_job_fn fn, void *arg, void (*arg_free)(void *));
/* UI: stop caring; the job sees wiz_job_cancelled() and its arg is freed
 * when it ends. NULL is fine. */
void wiz_job_release(wiz_job *j);
/* UI: readable when the job reported progress or ended. */
int wiz_job_fd(const wiz_job *j);
/* UI: drains the pipe; true once the job has ended, after which the UI
 * may read the argument freely (the thread no longer touches it). */
bool wiz_job_poll(wiz_job *j);
bool wiz_job_done(wiz_job *j);
void *wiz_job_arg(wiz_job *j);
/* The last progress line ("" if none). */
void wiz_job_progress_get(wiz_job *j, char *buf, size_t n);

/* Job side. */
bool wiz_job_cancelled(wiz_job *j);
/* A cancel flag for APIs that poll one (pgp_connect_cancelable). */
const volatile bool *wiz_job_cancel_flag(wiz_job *j);
void wiz_job_progress(wiz_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
