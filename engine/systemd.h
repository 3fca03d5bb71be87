/* Local tasks that survive a reboot: the supervisor run as a systemd unit
 * (doc/systemd/migtop-task@.service) instead of a detached process. The
 * template is written where systemd looks for it (user: $XDG_CONFIG_HOME
 * /systemd/user; system: /etc/systemd/system), with a drop-in for the
 * instance (migtop-task@NAME.service.d/migtop.conf) naming this binary and
 * the state directory (and, for a system unit, the user), then
 * `systemctl [--user] daemon-reload` and `enable --now`. For tests:
 * $MIGTOP_SYSTEMD_DIR replaces the unit directory, $MIGTOP_SYSTEMCTL the
 * systemctl program. */
#ifndef MIGTOP_ENGINE_SYSTEMD_H
#define MIGTOP_ENGINE_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>

/* mode "user" or "system". */
bool engine_systemd_install(const char *state_dir, const char *name, const char *mode,
                            char *err, size_t errlen);

#endif
