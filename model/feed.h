/* A feed is a backend running on its own thread and handing snapshots to
 * the UI. The backend publishes whole snapshots and reports errors; the UI
 * polls a file descriptor, takes the newest snapshot when there is one, and
 * reads the feed's health (how old the last good data is, what is failing)
 * without ever waiting on the backend's I/O. The UI tells the backend which
 * task it is looking at (focus), so a backend can fetch that task's details
 * (jobs, pods, logs) only while they are on screen. */
#ifndef MIGTOP_FEED_H
#define MIGTOP_FEED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/history.h"
#include "model/snapshot.h"

typedef struct mt_feed mt_feed;

/* The backend's loop: runs on the feed thread until mt_feed_stopping(). */
typedef void (*mt_feed_run_fn)(mt_feed *f, void *backend);

typedef struct mt_feed_health {
    char label[256];          /* "file tests/data/x.json", "kube ctx/ns", ... */
    int64_t last_ok_ms;       /* wall clock of the newest good snapshot; 0 if none yet */
    int64_t failing_since_ms; /* 0 while healthy */
    char error[512];          /* the current error, "" while healthy */
    uint64_t published;       /* snapshots published so far */
} mt_feed_health;

mt_feed *mt_feed_new(const char *label, mt_feed_run_fn run, void *backend,
                     void (*backend_free)(void *));
bool mt_feed_start(mt_feed *f, char *err, size_t errlen);
/* Stops the thread (the backend sees mt_feed_stopping) and frees it all. */
void mt_feed_free(mt_feed *f);

/* --- backend side (feed thread) --- */
/* Takes ownership of s; replaces any snapshot the UI has not taken yet. */
void mt_feed_publish(mt_feed *f, mt_snapshot *s);
/* Marks the feed failing; the last good data stays on screen. */
void mt_feed_error(mt_feed *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool mt_feed_stopping(mt_feed *f);
/* Sleeps up to ms, waking early on stop, a focus change or a poke.
 * Returns false when the feed is stopping. */
bool mt_feed_wait(mt_feed *f, int ms);
/* The task in focus ("" when none) and a counter bumped on every change. */
uint64_t mt_feed_focus(mt_feed *f, char *ns, size_t nslen, char *name, size_t namelen);

/* A task's readings kept by whoever runs it (one->ns and one->name say
 * whose), read on the feed's thread for the UI's rings. Takes one. */
void mt_feed_offer_history(mt_feed *f, mt_hist *one);

/* --- UI side --- */
/* Readable when there is news (a snapshot or a health change). */
int mt_feed_fd(const mt_feed *f);
/* Returns the newest snapshot if one arrived since the last call (the
 * caller owns it), else NULL; always fills *h. Drains the fd. */
mt_snapshot *mt_feed_take(mt_feed *f, mt_feed_health *h);
/* The readings offered since the last call, *n of them (the caller owns
 * the array and each ring: mt_hist_offer takes a ring), or NULL. */
mt_hist **mt_feed_take_histories(mt_feed *f, size_t *n);
void mt_feed_set_focus(mt_feed *f, const char *ns, const char *name);
/* Asks the backend to look again now (news from another thread). */
void mt_feed_poke(mt_feed *f);
/* The user asks to read everything again (the refresh key): a poke that
 * a backend keeping what it read (the local one) also counts. */
void mt_feed_ask_refresh(mt_feed *f);
/* Backend side: how many times the user asked; a change means read all. */
uint64_t mt_feed_asked(mt_feed *f);

#endif
