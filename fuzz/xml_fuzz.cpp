// Any bytes as an XML reply: a tree or a destination error, never a crash; and a tree
// written back with format_xml parses to the same tree.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3dest/aws/xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto document = s3dest::aws::parse_xml(text);
  if (!document.ok()) {
    if (document.status().exit_code() != 4) std::abort();
    return 0;
  }
  const std::string written = s3dest::aws::format_xml(*document);
  auto again = s3dest::aws::parse_xml(written);
  if (!again.ok() || s3dest::aws::format_xml(*again) != written) std::abort();
  // Lookups on whatever came out are safe.
  (void)document->find({"AssumeRoleResult", "Credentials"});
  (void)document->child_text("Code");
  return 0;
}
