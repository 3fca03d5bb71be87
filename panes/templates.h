/* The MigrationTemplate list (kbcli migration templates). */
#ifndef MIGTOP_TEMPLATES_H
#define MIGTOP_TEMPLATES_H

#include "model/snapshot.h"
#include "panes/doc.h"

int templates_build(doc *d, const mt_snapshot *s, const char *filter, mt_time now, int width);

#endif
