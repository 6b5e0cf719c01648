#pragma once

#define S3DEST_VERSION_MAJOR 0
#define S3DEST_VERSION_MINOR 1
#define S3DEST_VERSION_PATCH 0
#define S3DEST_VERSION_STRING "0.1.0"

// The build: the tools are built with the commit they come from (CMakeLists.txt); a
// build from copied headers says "unknown" unless it defines S3DEST_BUILD itself.
#ifndef S3DEST_BUILD
#define S3DEST_BUILD "unknown"
#endif

namespace s3dest {
inline constexpr const char* kVersion = S3DEST_VERSION_STRING;
}  // namespace s3dest
