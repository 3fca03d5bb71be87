/* `migtop terminate NAME --force` on a local task: the way out when its
 * cleanup cannot finish (a source or sink gone for good). The task's
 * supervisor and runner are stopped, what may remain on the servers (the
 * slot, the publication, CDC's origin) is checked where it can be and
 * listed with the SQL to drop each by hand, that list is kept in
 * STATE/forgotten/NAME-<time>.txt, and the task's directory is removed. */
#ifndef MIGTOP_ENGINE_FORGET_H
#define MIGTOP_ENGINE_FORGET_H

#include <stdbool.h>
#include <stddef.h>

#include "model/strbuf.h"

/* report gets the list (and where it was kept). */
bool engine_forget_task(const char *state_dir, const char *name, strbuf *report, char *err,
                        size_t errlen);

#endif
