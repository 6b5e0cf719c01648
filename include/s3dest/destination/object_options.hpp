// The config's object options (storage_class, canned_acl, tags, metadata, content_type,
// content_encoding) made ready for one run: tags and metadata are templates rendered
// per object with the values its key gets (partition date, account, chunk id, context,
// run start, worker, run id, uuid). Every variable is checked to have a value in every
// object before anything is written (usage error, exit 2).
//
//   S3DEST_ASSIGN_OR_RETURN(const ObjectOptions options, ObjectOptions::create(config, layout));
//   S3DEST_ASSIGN_OR_RETURN(object.properties, options.render(parts));
//
// What variables bring in (the account from the data, context values, ...) is made to fit
// S3's rules; the config's own text is checked when read (config-inl.hpp) and sent as
// written. In a tag's value each character of a variable's value that is not an ASCII
// letter, digit, space or _ . : / = + - @ becomes one '_' (anything beyond ASCII too: a
// letter, a symbol such as ™, an emoji, U+202E or a byte that is not UTF-8), and the whole
// value is cut to 256 characters. In metadata each character of a variable's value that is
// not printable ASCII becomes one '_'. The tags and metadata headers must stay within
// kMaxTagAndMetadataHeaderBytes (s3/object_property_headers.hpp), and the metadata within
// S3's 2 KB.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "s3dest/core/object_properties.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/layout/key_layout.hpp"
#include "s3dest/layout/template.hpp"
#include "s3dest/s3/object_property_headers.hpp"

namespace s3dest {

class ObjectOptions {
 public:
  // For objects named by `layout`, which must outlive the options.
  static Result<ObjectOptions> create(const Config& config, const KeyLayout& layout);

  // Some tag or metadata value uses `var` (a {{uuid}} must then be drawn for each object).
  bool uses(TemplateVar var) const;

  // What the object `parts` names carries. Fails (input error, exit 3) only when the
  // account, which comes from the data, makes the metadata longer than S3 takes or the
  // tags and metadata headers longer than kMaxTagAndMetadataHeaderBytes.
  Result<ObjectProperties> render(const KeyParts& parts) const;

 private:
  explicit ObjectOptions(const KeyLayout& layout) : layout_(&layout) {}
  ObjectProperties rendered(const KeyParts& parts) const;  // render() without the check

  const KeyLayout* layout_;
  ObjectProperties fixed_;  // the same for every object: type, encoding, class, ACL
  std::vector<std::pair<std::string, Template>> tags_;
  std::vector<std::pair<std::string, Template>> metadata_;  // lower-case names
};

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

// The templates of `options` (name, text), each variable checked to have a value.
inline Result<std::vector<std::pair<std::string, Template>>> option_templates(
    const ObjectTextVariables& given, const std::vector<std::pair<std::string, std::string>>& options,
    const char* key) {
  std::vector<std::pair<std::string, Template>> templates;
  for (const auto& [name, text] : options) {
    const std::string field = std::string(key) + "." + name;
    S3DEST_ASSIGN_OR_RETURN(Template value, Template::parse(field, text));
    for (size_t i = 0; i < kTemplateVarCount; ++i)
      if (value.uses(static_cast<TemplateVar>(i)))
        S3DEST_TRY(check_object_text_variable(given, field, static_cast<TemplateVar>(i)));
    templates.emplace_back(name, std::move(value));
  }
  return templates;
}

// Why `properties` cannot be sent ("" when they can), to follow "... make(s)": more user
// metadata than S3 takes, or tags and metadata headers past s3dest's budget. `cause` says
// what to shorten.
inline std::string object_properties_problem(const ObjectProperties& properties, const std::string& cause) {
  if (const size_t bytes = user_metadata_bytes(properties.metadata); bytes > kMaxUserMetadataBytes)
    return "the object's metadata " + std::to_string(bytes) + " bytes of names and values (s3dest's own " +
           std::to_string(kRunMetadataBytes) + " included), past the " + std::to_string(kMaxUserMetadataBytes) +
           " S3 takes: shorten " + cause;
  const size_t bytes = s3::tag_and_metadata_header_bytes(properties.tags, properties.metadata);
  if (bytes > s3::kMaxTagAndMetadataHeaderBytes)
    return "the object's tags and metadata headers " + std::to_string(bytes) + " bytes long (tags URI-encoded), "
           "past the " + std::to_string(s3::kMaxTagAndMetadataHeaderBytes) +
           " s3dest allows them within S3's 8 KB of request headers: shorten " + cause;
  return "";
}

}  // namespace detail

inline Result<ObjectOptions> ObjectOptions::create(const Config& config, const KeyLayout& layout) {
  ObjectOptions options(layout);
  const bool encoded = !config.content_encoding.empty();
  options.fixed_.content_type =
      config.content_type.empty() ? std::string(file_format_content_type(config.file_format, encoded))
                                  : config.content_type;
  options.fixed_.content_encoding = config.content_encoding;
  options.fixed_.storage_class = config.storage_class;
  options.fixed_.canned_acl = config.canned_acl;
  const ObjectTextVariables given = object_text_variables(layout, config.context);
  S3DEST_ASSIGN_OR_RETURN(options.tags_, detail::option_templates(given, config.tags, "tags"));
  S3DEST_ASSIGN_OR_RETURN(options.metadata_, detail::option_templates(given, config.metadata, "metadata"));
  for (auto& entry : options.metadata_) entry.first = to_lower_ascii(entry.first);

  // Every value but the account's has the same length in every object: one rendering with
  // the shortest account tells whether the run's tags and metadata fit.
  KeyParts sample;
  if (layout.partitioning() != Partitioning::none) sample.record_day = 0;
  sample.uuid = "00000000-0000-4000-8000-000000000000";
  const std::string problem =
      detail::object_properties_problem(options.rendered(sample), "the tags and metadata or the context values they use");
  if (!problem.empty()) return usage_error("\"tags\" and \"metadata\" as rendered make " + problem);
  return options;
}

inline bool ObjectOptions::uses(TemplateVar var) const {
  for (const auto* templates : {&tags_, &metadata_})
    for (const auto& entry : *templates)
      if (entry.second.uses(var)) return true;
  return false;
}

inline ObjectProperties ObjectOptions::rendered(const KeyParts& parts) const {
  ObjectProperties properties = fixed_;
  std::string text;
  for (const auto& [name, value] : tags_) {
    layout_->render_value(value, parts, text, append_tag_text);
    cut_to_characters(text, kMaxTagValueChars);
    properties.tags.emplace_back(name, text);
  }
  for (const auto& [name, value] : metadata_) {
    layout_->render_value(value, parts, text, append_metadata_value_text);
    properties.metadata.emplace_back(name, text);
  }
  return properties;
}

inline Result<ObjectProperties> ObjectOptions::render(const KeyParts& parts) const {
  ObjectProperties properties = rendered(parts);
  const std::string problem = detail::object_properties_problem(
      properties, "the account values, or drop {{account}} from \"tags\" and \"metadata\"");
  if (!problem.empty()) return input_error("the account \"" + printable(parts.account, 40) + "\" makes " + problem);
  return properties;
}

}  // namespace s3dest
