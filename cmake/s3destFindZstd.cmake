# libzstd as the imported target s3dest::zstd (headers and the shared library), for the
# zstd formats. Used by s3dest's own build and by its installed package config, so a
# consumer of an s3dest built with zstd finds the same library the same way.
# Sets S3DEST_ZSTD_FOUND. pkg-config's libzstd.pc, where there is one, only hints where
# to look: find_path/find_library decide, so a build without pkg-config works too.
if(TARGET s3dest::zstd)
  set(S3DEST_ZSTD_FOUND TRUE)
  return()
endif()
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(S3DEST_PC_ZSTD QUIET libzstd)
endif()
find_path(S3DEST_ZSTD_INCLUDE_DIR zstd.h HINTS ${S3DEST_PC_ZSTD_INCLUDE_DIRS})
find_library(S3DEST_ZSTD_LIBRARY NAMES zstd HINTS ${S3DEST_PC_ZSTD_LIBRARY_DIRS})
set(S3DEST_ZSTD_FOUND FALSE)
if(S3DEST_ZSTD_INCLUDE_DIR AND S3DEST_ZSTD_LIBRARY)
  # ZSTD_compressStream2 and ZSTD_c_* parameters are stable API from libzstd 1.4.0.
  file(STRINGS "${S3DEST_ZSTD_INCLUDE_DIR}/zstd.h" _s3dest_zstd_version REGEX "^#define ZSTD_VERSION_(MAJOR|MINOR) +[0-9]+")
  string(REGEX REPLACE ".*MAJOR +([0-9]+).*" "\\1" _s3dest_zstd_major "${_s3dest_zstd_version}")
  string(REGEX REPLACE ".*MINOR +([0-9]+).*" "\\1" _s3dest_zstd_minor "${_s3dest_zstd_version}")
  if(_s3dest_zstd_major GREATER 1 OR (_s3dest_zstd_major EQUAL 1 AND _s3dest_zstd_minor GREATER_EQUAL 4))
    set(S3DEST_ZSTD_FOUND TRUE)
    add_library(s3dest::zstd INTERFACE IMPORTED GLOBAL)
    set_target_properties(s3dest::zstd PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${S3DEST_ZSTD_INCLUDE_DIR}"
                                                  INTERFACE_LINK_LIBRARIES "${S3DEST_ZSTD_LIBRARY}")
  else()
    message(STATUS "s3dest: libzstd ${_s3dest_zstd_major}.${_s3dest_zstd_minor} at ${S3DEST_ZSTD_INCLUDE_DIR} is older than 1.4: not used")
  endif()
endif()
