/* The replication origin on the sink that makes CDC exactly once: named
 * after the task, it records in every applied sink transaction (atomically
 * with it, through pg_replication_origin_xact_setup) the source commit it
 * ends with. A restarted CDC reads the origin's progress and resumes
 * streaming there, so nothing is lost and nothing applied twice, whatever
 * moment the runner died at. Setting up and advancing an origin needs a
 * superuser on the sink, or EXECUTE on the pg_replication_origin_*
 * functions granted to the sink account. */
#ifndef MIGTOP_ENGINE_CDC_ORIGIN_H
#define MIGTOP_ENGINE_CDC_ORIGIN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "migtop_<slot name>": the task's name, made identifier-safe. */
void cdc_origin_name(const char *slot, char *out, size_t outlen);
/* Creates the origin when missing, binds it to this session and returns
 * its progress (0 when nothing was applied yet). A session left by a
 * killed runner may still hold it: those (found by application_name) are
 * ended first. */
bool cdc_origin_attach(PGconn *sink, const char *origin, const char *appname, uint64_t *lsn,
                       char *err, size_t errlen);
/* Drops the origin if it exists; idempotent. */
bool cdc_origin_drop(PGconn *sink, const char *origin, const char *appname, char *err,
                     size_t errlen);

#endif
