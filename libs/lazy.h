/* libpq and libcurl, loaded on the first call into them (lazy_pq.c,
 * lazy_curl.c define their functions, each one calling through a table
 * filled from the library by dlopen and dlsym).
 *
 * Why: linked as usual, the two pull 31 more libraries into every start
 * (Kerberos, LDAP, GnuTLS, OpenSSL, nghttp2...), whose loading and
 * constructors took 4.5 of the 5.4 ms from exec to main. The dashboard
 * on local tasks needs neither before its first frame, and on some
 * screens never: `migtop --version` now takes 1.0 ms. The code calling
 * them is unchanged: it includes libpq-fe.h and curl/curl.h as before.
 *
 * A library that cannot be loaded (not installed, or broken) ends the
 * program with what is missing and the package to install, as the
 * dynamic loader would have at start: the Debian package depends on
 * both. The terminal is given back first (lazy_on_fail). */
#ifndef MIGTOP_LIBS_LAZY_H
#define MIGTOP_LIBS_LAZY_H

#include <stddef.h>

/* restore runs before the message when a library fails to load: the
 * dashboard leaves curses there. NULL: nothing to restore. */
void lazy_on_fail(void (*restore)(void));

/* The library soname opened (never returns NULL: a failure ends the
 * program, naming package), then each of n symbols into the function
 * pointer at slots[i] (names[i]). */
void lazy_load(const char *soname, const char *package, const char *const *names,
               void (**slots)(void), size_t n);

/* The table of a lazy_*.c, from its list of functions, each row
 * F(type, name, (parameters), (the parameters' names)) or V(...) for one
 * returning nothing: enum { LIST(LAZY_INDEX, LAZY_INDEX) N_FUNCS } numbers
 * them, LAZY_NAME names them, and LIST(LAZY_DEF, LAZY_DEF_VOID) defines
 * each one to load the table once (the file's pthread_once_t once and
 * load) and call through its slot in fp. */
#define LAZY_INDEX(ret, name, params, args) I_##name,
#define LAZY_NAME(ret, name, params, args) #name,
#define LAZY_DEF(ret, name, params, args)                                                     \
    ret name params                                                                           \
    {                                                                                         \
        pthread_once(&once, load);                                                            \
        return ((ret(*) params)fp[I_##name]) args;                                            \
    }
#define LAZY_DEF_VOID(ret, name, params, args)                                                \
    void name params                                                                          \
    {                                                                                         \
        pthread_once(&once, load);                                                            \
        ((void(*) params)fp[I_##name]) args;                                                  \
    }

#endif
