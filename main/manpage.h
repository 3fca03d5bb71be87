/* The manual page, migtop(1), as roff: made from the commands' help
 * (cli/help.h) and the dashboard's keys (tui/keys.h), the same tables
 * that --help and ? show, so the three cannot disagree. The build writes
 * it with `migtop help --man` and installs it. */
#ifndef MIGTOP_MAIN_MANPAGE_H
#define MIGTOP_MAIN_MANPAGE_H

#include <stdio.h>

void manpage_print(FILE *out);

#endif
