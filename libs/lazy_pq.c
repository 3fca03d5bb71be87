/* libpq's functions that migtop calls, each one through a table loaded on
 * the first call (lazy.h says why). A libpq function used anywhere must
 * be listed here: migtop no longer links libpq, so the build fails on
 * one that is not. */
#include <libpq-fe.h>
#include <pthread.h>

#include "libs/lazy.h"

/* F: returns a value, V: returns nothing; (type, name, parameters, the
 * parameters' names). */
#define PQ_FUNCS(F, V) \
    F(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    V(void, PQclear, (PGresult *res), (res)) \
    V(void, PQfinish, (PGconn *conn), (conn)) \
    F(int, PQntuples, (const PGresult *res), (res)) \
    V(void, PQfreemem, (void *ptr), (ptr)) \
    F(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    F(ExecStatusType, PQresultStatus, (const PGresult *res), (res)) \
    F(PGresult *, PQgetResult, (PGconn *conn), (conn)) \
    F(char *, PQerrorMessage, (const PGconn *conn), (conn)) \
    F(int, PQserverVersion, (const PGconn *conn), (conn)) \
    F(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query)) \
    F(ConnStatusType, PQstatus, (const PGconn *conn), (conn)) \
    F(int, PQflush, (PGconn *conn), (conn)) \
    F(char *, PQescapeIdentifier, (PGconn *conn, const char *str, size_t len), (conn, str, len)) \
    F(char *, PQuser, (const PGconn *conn), (conn)) \
    F(int, PQsocket, (const PGconn *conn), (conn)) \
    F(char *, PQescapeLiteral, (PGconn *conn, const char *str, size_t len), (conn, str, len)) \
    F(int, PQsendQueryParams, (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    F(int, PQputCopyData, (PGconn *conn, const char *buffer, int nbytes), (conn, buffer, nbytes)) \
    F(char *, PQdb, (const PGconn *conn), (conn)) \
    F(int, PQconsumeInput, (PGconn *conn), (conn)) \
    F(int, PQsetnonblocking, (PGconn *conn, int arg), (conn, arg)) \
    F(int, PQputCopyEnd, (PGconn *conn, const char *errormsg), (conn, errormsg)) \
    F(char *, PQport, (const PGconn *conn), (conn)) \
    F(const char *, PQparameterStatus, (const PGconn *conn, const char *paramName), (conn, paramName)) \
    F(int, PQisBusy, (PGconn *conn), (conn)) \
    F(char *, PQhost, (const PGconn *conn), (conn)) \
    F(int, PQgetCopyData, (PGconn *conn, char **buffer, int async), (conn, buffer, async)) \
    F(int, PQsendQueryPrepared, (PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat)) \
    F(char *, PQresultErrorMessage, (const PGresult *res), (res)) \
    F(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode)) \
    F(char *, PQpass, (const PGconn *conn), (conn)) \
    F(PGconn *, PQconnectdb, (const char *conninfo), (conninfo)) \
    F(PGconn *, PQconnectStartParams, (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname)) \
    F(PostgresPollingStatusType, PQconnectPoll, (PGconn *conn), (conn)) \
    F(int, PQbackendPID, (const PGconn *conn), (conn)) \
    F(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn)) \
    F(int, PQpipelineSync, (PGconn *conn), (conn)) \
    F(int, PQnfields, (const PGresult *res), (res)) \
    F(PGcancel *, PQgetCancel, (PGconn *conn), (conn)) \
    V(void, PQfreeCancel, (PGcancel *cancel), (cancel)) \
    F(PGresult *, PQexecParams, (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    F(int, PQenterPipelineMode, (PGconn *conn), (conn)) \
    F(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg)) \
    V(void, PQconninfoFree, (PQconninfoOption *connOptions), (connOptions)) \
    F(int, PQcancel, (PGcancel *cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize)) \
    F(int, PQsendPrepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes), (conn, stmtName, query, nParams, paramTypes)) \
    F(int, PQsendFlushRequest, (PGconn *conn), (conn)) \
    F(PGresult *, PQprepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes), (conn, stmtName, query, nParams, paramTypes)) \
    F(PGpipelineStatus, PQpipelineStatus, (const PGconn *conn), (conn)) \
    F(int, PQexitPipelineMode, (PGconn *conn), (conn)) \
    F(PGresult *, PQexecPrepared, (PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat)) \
    F(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname)) \
    F(int, lo_open, (PGconn *conn, Oid lobjId, int mode), (conn, lobjId, mode)) \
    F(int, lo_close, (PGconn *conn, int fd), (conn, fd)) \
    F(int, lo_write, (PGconn *conn, int fd, const char *buf, size_t len), (conn, fd, buf, len)) \
    F(int, lo_unlink, (PGconn *conn, Oid lobjId), (conn, lobjId)) \
    F(int, lo_read, (PGconn *conn, int fd, char *buf, size_t len), (conn, fd, buf, len)) \
    F(Oid, lo_create, (PGconn *conn, Oid lobjId), (conn, lobjId))

enum { PQ_FUNCS(LAZY_INDEX, LAZY_INDEX) N_FUNCS };
static const char *const names[N_FUNCS] = {PQ_FUNCS(LAZY_NAME, LAZY_NAME)};
static void (*fp[N_FUNCS])(void);
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) { lazy_load("libpq.so.5", "libpq5", names, fp, N_FUNCS); }

PQ_FUNCS(LAZY_DEF, LAZY_DEF_VOID)
