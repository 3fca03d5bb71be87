/* The user's config file, $XDG_CONFIG_HOME/migtop/config.yaml (else
 * ~/.config/migtop/config.yaml):
 *     theme: light            # a name or a path, as --theme
 *     lag_threshold: 10       # as --lag-threshold
 *     pod_tz: UTC+8           # as --pod-tz
 *     refresh_ms: 500         # as --refresh-ms
 *     mouse: false            # as --no-mouse (the terminal selects text again)
 * Flags override it. A missing file is fine; a broken one is an error
 * with line:column and none of its settings are used. */
#ifndef MIGTOP_CONFIG_H
#define MIGTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>


typedef struct migtop_config {
    char theme[256];   /* "" when not set */
    char pod_tz[64];   /* "" when not set */
    int lag_threshold; /* 0 when not set */
    int refresh_ms;    /* 0 when not set */
    int mouse;         /* 0 not set, 1 on, -1 off */
} migtop_config;

/* $XDG_CONFIG_HOME/migtop (an absolute XDG_CONFIG_HOME only, as the XDG
 * spec says), else $HOME/.config/migtop; false if neither is known. */
bool config_dir(char *buf, size_t n);

/* Parses config text; on error *out is left all unset. */
bool config_parse(const char *text, size_t len, const char *source, migtop_config *out, char *err,
                  size_t errlen);
/* Reads the file at path; a file that does not exist is no error. */
bool config_load_file(const char *path, migtop_config *out, char *err, size_t errlen);

/* The user's config, read once; *error is "" or what was wrong with it. */
const migtop_config *config_user(const char **error);


#endif
