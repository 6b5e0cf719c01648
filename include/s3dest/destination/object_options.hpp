// The config's object options (storage_class, canned_acl, tags, metadata, content_type,
// content_encoding) made ready for one run: tags and metadata are templates rendered
// per object with the values its key gets (partition date, account, chunk id, context,
// run start, worker, run id, uuid). Every variable is checked to have a value in every
// object before anything is written (usage error, exit 2).
//
//   S3DEST_ASSIGN_OR_RETURN(const ObjectOptions options, ObjectOptions::create(config, layout));
//   S3DEST_ASSIGN_OR_RETURN(object.properties, options.render(parts));
//
// Rendered text is made to fit S3's rules: in a tag value each character S3 refuses
// becomes '_' and the value is cut to 256 characters; in metadata each character that is
// not printable ASCII becomes '_'. The config's own text already keeps them (config-inl.hpp),
// so only values from variables change.
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

namespace s3dest {

class ObjectOptions {
 public:
  // For objects named by `layout`, which must outlive the options.
  static Result<ObjectOptions> create(const Config& config, const KeyLayout& layout);

  // Some tag or metadata value uses `var` (a {{uuid}} must then be drawn for each object).
  bool uses(TemplateVar var) const;

  // What the object `parts` names carries. Fails (input error, exit 3) only when the
  // account, which comes from the data, makes the metadata longer than S3 takes.
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

// "{{YYYY}} in tags.day has no value ..." when the object's key gives `var` no value.
inline Status check_option_variable(const Config& config, const KeyLayout& layout, const std::string& field,
                                    TemplateVar var) {
  const std::string ref = "{{" + std::string(template_var_name(var)) + "}} in " + field;
  const bool date = var == TemplateVar::YYYY || var == TemplateVar::MM || var == TemplateVar::DD;
  if (date && layout.partitioning() == Partitioning::none)
    return usage_error(ref + " is the date of the rows' partition, but the layout does not split rows by date: use {{" +
                       std::string(template_var_name(var)) + "_today}}, the run's date, or partition the layout");
  if (var == TemplateVar::DD && layout.partitioning() == Partitioning::month)
    return usage_error(ref + " has no value with \"partition_by\": \"month\": remove it, or use {{DD_today}}");
  if (var == TemplateVar::account && !layout.uses_account())
    return usage_error(ref + " needs \"use_load_by_account\": true: set it or remove {{account}}");
  const std::string name(template_var_name(var));
  if (is_context_var(var) && config.context.count(name) == 0)
    return usage_error(ref + " has no value; add \"" + name + "\" to the config's \"context\" or pass --set " + name +
                       "=VALUE");
  if (var == TemplateVar::worker && layout.run_value(var).empty())
    return usage_error(ref + " has no value: pass --worker ID (with {{worker}} or {{uuid}} in the layout)");
  if (var == TemplateVar::run_id && layout.run_value(var).empty())
    return usage_error(ref + " is used but the run has no id: set LayoutOptions::run_id");
  return {};
}

// The templates of `options` (name, text), each variable checked to have a value.
inline Result<std::vector<std::pair<std::string, Template>>> option_templates(
    const Config& config, const KeyLayout& layout, const std::vector<std::pair<std::string, std::string>>& options,
    const char* key) {
  std::vector<std::pair<std::string, Template>> templates;
  for (const auto& [name, text] : options) {
    const std::string field = std::string(key) + "." + name;
    S3DEST_ASSIGN_OR_RETURN(Template value, Template::parse(field, text));
    for (size_t i = 0; i < kTemplateVarCount; ++i)
      if (value.uses(static_cast<TemplateVar>(i)))
        S3DEST_TRY(check_option_variable(config, layout, field, static_cast<TemplateVar>(i)));
    templates.emplace_back(name, std::move(value));
  }
  return templates;
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
  S3DEST_ASSIGN_OR_RETURN(options.tags_, detail::option_templates(config, layout, config.tags, "tags"));
  S3DEST_ASSIGN_OR_RETURN(options.metadata_, detail::option_templates(config, layout, config.metadata, "metadata"));
  for (auto& entry : options.metadata_) entry.first = to_lower_ascii(entry.first);

  // Every value but the account's has the same length in every object: one rendering with
  // the shortest account tells whether the run's metadata fits.
  KeyParts sample;
  if (layout.partitioning() != Partitioning::none) sample.record_day = 0;
  sample.uuid = "00000000-0000-4000-8000-000000000000";
  const size_t bytes = user_metadata_bytes(options.rendered(sample).metadata);
  if (bytes > kMaxUserMetadataBytes)
    return usage_error("\"metadata\" renders " + std::to_string(bytes) +
                       " bytes of names and values (s3dest's own " + std::to_string(kRunMetadataBytes) +
                       " included), more than the " + std::to_string(kMaxUserMetadataBytes) +
                       " S3 takes: shorten them or the context values they use");
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
    layout_->render_value(value, parts, text);
    properties.tags.emplace_back(name, tag_text(text, kMaxTagValueChars));
  }
  for (const auto& [name, value] : metadata_) {
    layout_->render_value(value, parts, text);
    properties.metadata.emplace_back(name, metadata_value_text(text));
  }
  return properties;
}

inline Result<ObjectProperties> ObjectOptions::render(const KeyParts& parts) const {
  ObjectProperties properties = rendered(parts);
  if (const size_t bytes = user_metadata_bytes(properties.metadata); bytes > kMaxUserMetadataBytes)
    return input_error("the account \"" + printable(parts.account, 40) + "\" makes the object's metadata " +
                       std::to_string(bytes) + " bytes long, past the " + std::to_string(kMaxUserMetadataBytes) +
                       " S3 takes: shorten the account values, or drop {{account}} from \"metadata\"");
  return properties;
}

}  // namespace s3dest
