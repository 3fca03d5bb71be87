# migtop_embed(FILE SYMBOL OUTVAR): compiles FILE (relative to the source
# dir) into the program as `const char SYMBOL[]` (NUL-terminated) and
# `const size_t SYMBOL_len`; OUTVAR gets the generated source. Re-run on
# every change of the file.
function(migtop_embed file symbol outvar)
  set(_path ${CMAKE_SOURCE_DIR}/${file})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_path})
  file(READ ${_path} _hex HEX)
  string(LENGTH "${_hex}" _n)
  math(EXPR _n "${_n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
  set(_out ${CMAKE_BINARY_DIR}/generated/${symbol}.c)
  file(CONFIGURE OUTPUT ${_out} CONTENT
"/* Generated from ${file} by cmake/embed.cmake. */
#include <stddef.h>
extern const char ${symbol}[];
extern const size_t ${symbol}_len;
const char ${symbol}[] = {${_bytes} 0};
const size_t ${symbol}_len = ${_n};
")
  set(${outvar} ${_out} PARENT_SCOPE)
endfunction()
