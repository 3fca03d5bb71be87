# Compiles themes/default.yaml into the program (theme_default_yaml[]), so
# the default theme is there even when the themes dir is not, and a broken
# theme file always has something to fall back to. Sets
# MIGTOP_THEME_DEFAULT_C to the generated source.
include(${CMAKE_SOURCE_DIR}/cmake/embed.cmake)
migtop_embed(themes/default.yaml theme_default_yaml MIGTOP_THEME_DEFAULT_C)
