/* A feed from a saved snapshot: what `kubectl get migrationtasks,
 * migrationtemplates,jobs,pods,statefulsets -A -o json` printed, re-read
 * whenever the file changes. The snapshot's time is the file's mtime, so
 * the dashboard says truthfully how old the saved data is. */
#ifndef MIGTOP_FEED_FILE_H
#define MIGTOP_FEED_FILE_H

#include "model/feed.h"

mt_feed *feed_file_new(const char *path);

#endif
