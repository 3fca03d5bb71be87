/* Turning whatever the API server (or a proxy in front of it) answered
 * into one clear line, in kubectl's words where kubectl has words. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kube/client.h"
#include "model/jsonx.h"

/* The first bytes of a body as printable single-line text. */
static void excerpt(const char *body, size_t len, char *out, size_t n)
{
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < len && o + 4 < n; i++) {
        unsigned char ch = (unsigned char)body[i];
        if (isspace(ch)) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    if (o + 4 >= n && n > 4) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* "<title>502 Bad Gateway</title>" is what an HTML error page is about. */
static bool html_title(const char *body, size_t len, char *out, size_t n)
{
    const char *t = NULL;
    for (size_t i = 0; i + 7 <= len; i++)
        if (!strncasecmp(body + i, "<title>", 7)) {
            t = body + i + 7;
            break;
        }
    if (!t)
        return false;
    const char *end = t;
    while (end < body + len && *end != '<')
        end++;
    excerpt(t, (size_t)(end - t), out, n);
    return out[0] != '\0';
}

void kube_status_message(long status, const char *content_type, const char *body, size_t len,
                         const char *method, const char *path, char *err, size_t errlen)
{
    char perr[128];
    cJSON *doc = NULL;
    if (body && len && (body[0] == '{' || (content_type && strstr(content_type, "json"))))
        doc = jx_parse(body, len, perr, sizeof perr);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "Status")) {
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(doc, "reason");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
        const char *r = cJSON_IsString(reason) && reason->valuestring[0] ? reason->valuestring
                                                                          : NULL;
        const char *m = cJSON_IsString(msg) && msg->valuestring[0] ? msg->valuestring : NULL;
        if (status == 401)
            snprintf(err, errlen, "You must be logged in to the server (%s)",
                     m ? m : r ? r : "Unauthorized");
        else if (r)
            snprintf(err, errlen, "Error from server (%s): %s", r, m ? m : "(no message)");
        else
            snprintf(err, errlen, "Error from server (HTTP %ld): %s", status, m ? m : "(no message)");
        cJSON_Delete(doc);
        return;
    }
    cJSON_Delete(doc);
    char ex[120] = "";
    const char *ct = content_type && *content_type ? content_type : "no content type";
    if (!len) {
        if (status == 401)
            snprintf(err, errlen, "You must be logged in to the server (Unauthorized)");
        else
            snprintf(err, errlen, "the server answered HTTP %ld to %s %s with an empty body",
                     status, method, path);
    } else if (html_title(body, len, ex, sizeof ex) || (content_type && strstr(content_type, "html"))) {
        if (!ex[0])
            excerpt(body, len, ex, sizeof ex);
        snprintf(err, errlen, "the server answered HTTP %ld to %s %s with an HTML page (%s), "
                 "not the Kubernetes API: is a proxy in the way?", status, method, path, ex);
    } else {
        excerpt(body, len, ex, sizeof ex);
        snprintf(err, errlen, "the server answered HTTP %ld to %s %s with %s that is not a "
                 "Kubernetes Status: \"%s\"", status, method, path, ct, ex);
    }
}
