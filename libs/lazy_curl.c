/* libcurl's functions that migtop calls, each one through a table loaded
 * on the first call (lazy.h says why). A libcurl function used anywhere
 * must be listed here: migtop no longer links libcurl, so the build fails
 * on one that is not. */
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is defined here, not a macro */
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>

#include "libs/lazy.h"

/* F: returns a value, V: returns nothing; (type, name, parameters, the
 * parameters' names). The two that take a variable argument are at the
 * end. */
#define CURL_FUNCS(F, V)                                                                      \
    F(CURLcode, curl_global_init, (long flags), (flags))                                      \
    V(void, curl_global_cleanup, (void), ())                                                  \
    F(struct curl_slist *, curl_slist_append, (struct curl_slist * list, const char *data),   \
      (list, data))                                                                           \
    V(void, curl_slist_free_all, (struct curl_slist * list), (list))                          \
    F(const char *, curl_easy_strerror, (CURLcode code), (code))                              \
    F(CURL *, curl_easy_init, (void), ())                                                     \
    F(CURLcode, curl_easy_perform, (CURL * curl), (curl))                                     \
    V(void, curl_easy_cleanup, (CURL * curl), (curl))                                         \
    V(void, curl_easy_reset, (CURL * curl), (curl))                                           \
    F(CURLM *, curl_multi_init, (void), ())                                                   \
    F(CURLMcode, curl_multi_add_handle, (CURLM * m, CURL * curl), (m, curl))                  \
    F(CURLMcode, curl_multi_remove_handle, (CURLM * m, CURL * curl), (m, curl))               \
    F(CURLMcode, curl_multi_poll,                                                             \
      (CURLM * m, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,    \
       int *numfds),                                                                          \
      (m, extra_fds, extra_nfds, timeout_ms, numfds))                                         \
    F(CURLMcode, curl_multi_perform, (CURLM * m, int *running), (m, running))                 \
    F(CURLMcode, curl_multi_cleanup, (CURLM * m), (m))                                        \
    F(CURLMsg *, curl_multi_info_read, (CURLM * m, int *msgs_in_queue), (m, msgs_in_queue))

enum { CURL_FUNCS(LAZY_INDEX, LAZY_INDEX) I_curl_easy_setopt, I_curl_easy_getinfo, N_FUNCS };
static const char *const names[N_FUNCS] = {CURL_FUNCS(LAZY_NAME, LAZY_NAME) "curl_easy_setopt",
                                           "curl_easy_getinfo"};
static void (*fp[N_FUNCS])(void);
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) { lazy_load("libcurl.so.4", "libcurl4", names, fp, N_FUNCS); }

CURL_FUNCS(LAZY_DEF, LAZY_DEF_VOID)

typedef CURLcode (*setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*getinfo_fn)(CURL *, CURLINFO, ...);

/* The one argument passed on as the type its option takes, by the
 * option's number range (curl.h's CURLOPTTYPE_*), as curl reads it. */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    pthread_once(&once, load);
    setopt_fn f = (setopt_fn)fp[I_curl_easy_setopt];
    va_list ap;
    va_start(ap, option);
    CURLcode r;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        r = f(curl, option, va_arg(ap, long));
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        r = f(curl, option, va_arg(ap, void *));
    } else if (option < CURLOPTTYPE_OFF_T) {
        r = f(curl, option, va_arg(ap, void (*)(void)));
    } else if (option < CURLOPTTYPE_BLOB) {
        r = f(curl, option, va_arg(ap, curl_off_t));
    } else {
        r = f(curl, option, va_arg(ap, void *)); /* struct curl_blob * */
    }
    va_end(ap);
    return r;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    pthread_once(&once, load);
    getinfo_fn f = (getinfo_fn)fp[I_curl_easy_getinfo];
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *);
    va_end(ap);
    return f(curl, info, out);
}
