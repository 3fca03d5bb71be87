#include "libs/lazy.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static _Atomic(void (*)(void)) fail_hook;

void lazy_on_fail(void (*restore)(void)) { atomic_store(&fail_hook, restore); }

/* Not an error to return: the call that needed the library has no way
 * to say it failed (PQfinish, curl_slist_free_all...). */
static _Noreturn void fail(const char *soname, const char *package, const char *why)
{
    void (*restore)(void) = atomic_load(&fail_hook);
    if (restore)
        restore();
    fprintf(stderr, "migtop: cannot load %s: %s\n(install the %s package)\n", soname, why,
            package);
    _exit(127);
}

void lazy_load(const char *soname, const char *package, const char *const *names,
               void (**slots)(void), size_t n)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        fail(soname, package, dlerror());
    for (size_t i = 0; i < n; i++) {
        void *sym = dlsym(h, names[i]);
        if (!sym) {
            char why[300];
            snprintf(why, sizeof why, "it has no %s (too old a version?)", names[i]);
            fail(soname, package, why);
        }
        /* POSIX: a dlsym result converts to a function pointer. */
        memcpy(&slots[i], &sym, sizeof sym);
    }
}
