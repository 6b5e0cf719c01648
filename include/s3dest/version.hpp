#pragma once

#define S3DEST_VERSION_MAJOR 0
#define S3DEST_VERSION_MINOR 1
#define S3DEST_VERSION_PATCH 0
#define S3DEST_VERSION_STRING "0.1.0"

namespace s3dest {
inline constexpr const char* kVersion = S3DEST_VERSION_STRING;
}  // namespace s3dest
