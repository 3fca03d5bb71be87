# `cpack -G DEB` in the build directory: a Debian package of what
# `cmake --install` installs, its runtime libraries found by
# dpkg-shlibdeps, so `apt-get install ./migtop_*.deb` pulls them in.
set(CPACK_PACKAGE_NAME migtop)
set(CPACK_PACKAGE_VENDOR "migtop")
set(CPACK_PACKAGE_CONTACT "migtop maintainers <migtop@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "live terminal dashboard for PostgreSQL-to-PostgreSQL migrations")
set(CPACK_PACKAGE_DESCRIPTION
    "migtop creates a migration task between two PostgreSQL servers (the KubeBlocks
 migration add-on on Kubernetes, or its own local engine), shows its precheck,
 structure and data initialization and CDC live, walks the cutover checklist
 and terminates the task without leaving a replication slot behind.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libpq and libcurl are loaded on first use (libs/lazy.h), not linked, so
# dpkg-shlibdeps cannot see them: named here, at the versions whose
# symbols migtop calls (PQsendFlushRequest: 15; CURLOPT_CAINFO_BLOB: 7.77).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpq5 (>= 15), libcurl4 (>= 7.77.0)")
# The local engine runs pg_dump/pg_restore for init-struct.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-client")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, kubectl")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
