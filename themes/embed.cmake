# Compiles themes/default.yaml into the program (theme_default_yaml[]), so
# the default theme is there even when the themes dir is not, and a broken
# theme file always has something to fall back to. Sets
# MIGTOP_THEME_DEFAULT_C to the generated source; re-run on every change of
# the file.
set(_yaml ${CMAKE_SOURCE_DIR}/themes/default.yaml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_yaml})
file(READ ${_yaml} _hex HEX)
string(LENGTH "${_hex}" _n)
math(EXPR _n "${_n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
set(MIGTOP_THEME_DEFAULT_C ${CMAKE_BINARY_DIR}/generated/theme_default_yaml.c)
file(CONFIGURE OUTPUT ${MIGTOP_THEME_DEFAULT_C} CONTENT
"/* Generated from themes/default.yaml by themes/embed.cmake. */
#include <stddef.h>
extern const char theme_default_yaml[];
extern const size_t theme_default_yaml_len;
const char theme_default_yaml[] = {${_bytes} 0};
const size_t theme_default_yaml_len = ${_n};
")
