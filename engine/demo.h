/* `migtop demo`'s machinery: two throwaway PostgreSQL clusters on free
 * local ports (run as the postgres user when we are root, since
 * PostgreSQL refuses root), sample data on the source, and a light write
 * load on its own thread. Everything lives under one temporary directory
 * that stop removes unless asked to keep it. */
#ifndef MIGTOP_ENGINE_DEMO_H
#define MIGTOP_ENGINE_DEMO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct engine_demo {
    char base[512];      /* the temporary directory */
    char bindir[700];    /* PostgreSQL server binaries */
    int src_port, sink_port;
    bool src_up, sink_up, postgis;
    int scale;           /* pgbench scale of the sample */
    pthread_t load;
    bool load_started;
    atomic_bool load_stop;
    atomic_long load_tx;
} engine_demo;

/* Creates the directory, both clusters, and the source's sample data.
 * progress (may be NULL) gets one line per stage. */
bool engine_demo_start(engine_demo *d, int scale, void (*progress)(const char *line),
                       char *err, size_t errlen);
/* The write load: a small pgbench-like transaction every ~100 ms. */
bool engine_demo_load_start(engine_demo *d, char *err, size_t errlen);
void engine_demo_load_stop(engine_demo *d);
/* "postgres:demo@127.0.0.1:PORT/postgres" for --source/--sink (the servers trust local connections; kbcli syntax wants a password). */
void engine_demo_endpoint(const engine_demo *d, bool sink, char *out, size_t outlen);
/* Stops the clusters (fast shutdown) and removes the directory unless keep. */
void engine_demo_stop(engine_demo *d, bool keep);

#endif
