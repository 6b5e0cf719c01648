// A small XML reader (and writer) for what S3 and STS send: elements, attributes, text,
// CDATA, comments, the five named entities and character references. No DTDs (a
// DOCTYPE is refused, so no entity can expand), no namespaces beyond keeping prefixes.
//
//   auto document = aws::parse_xml(response.body);
//   if (!document.ok()) return document.status();
//   if (const aws::XmlElement* error = document->find({"Error"}))   // root is <ErrorResponse>
//     code = error->child_text("Code");
//
// The parser never recurses (nesting is capped at kMaxXmlDepth) and reads any bytes
// without crashing: it is fuzzed (fuzz/xml_fuzz.cpp). Its memory is bounded too: an
// element costs far more than its bytes, so a reply may hold at most kMaxXmlElements
// elements and attributes (a page of 1,000 listed keys holds about 7,000).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/status.hpp"

namespace s3dest::aws {

inline constexpr size_t kMaxXmlDepth = 64;
// Elements and attributes together. A page of 1,000 keys or open uploads (the most S3
// sends) has about 11,000; each takes ~170 bytes parsed, so a hostile reply stays ~4 MB.
inline constexpr size_t kMaxXmlElements = 25000;

struct XmlElement {
  std::string name;  // as written, with any prefix: "Error", "s3:Key"
  std::vector<std::pair<std::string, std::string>> attributes;  // values decoded
  std::string text;  // the element's own text and CDATA, decoded, in order; not its children's
  std::vector<XmlElement> children;

  // The first child whose local name (after any "prefix:") is `name`, or null.
  const XmlElement* child(std::string_view name) const;
  // That child's text, or "" when there is none.
  std::string child_text(std::string_view name) const;
  // Follows a path of child names from this element: find({"AssumeRoleResult", "Credentials"}).
  const XmlElement* find(std::initializer_list<std::string_view> path) const;
  // The local name: "Key" for "s3:Key".
  std::string_view local_name() const;
};

// The document's root element. Fails (a destination error: documents come from servers)
// with what is wrong and at which byte.
Result<XmlElement> parse_xml(std::string_view document);

// The element as XML text: its own text first, then its children. Parsing the result
// gives the element back.
std::string format_xml(const XmlElement& element);

// Text with &, <, >, " and ' escaped, for element text and attribute values.
void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline std::string_view local_part(std::string_view name) {
  const size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

inline bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Permissive name characters: anything but markup, quotes, '=' and spaces (and control
// bytes). XML's exact name rules matter only for rejecting documents we never write.
inline bool is_xml_name_char(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b < 0x20 || is_xml_space(c)) return false;
  switch (c) {
    case '<': case '>': case '/': case '=': case '"': case '\'': case '&': case '?': case '!':
      return false;
    default:
      return true;
  }
}

inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class XmlParser {
 public:
  explicit XmlParser(std::string_view in) : in_(in) {}

  Result<XmlElement> parse() {
    while (pos_ < in_.size()) S3DEST_TRY(read_next());
    if (!open_.empty()) return fail("<" + open_.back().name + "> is never closed", in_.size());
    if (!have_root_) return fail("no root element", in_.size());
    return std::move(root_);
  }

 private:
  // Reads what starts at pos_: text, or one piece of markup.
  Status read_next() {
    if (in_[pos_] != '<') return read_text();
    const std::string_view rest = in_.substr(pos_);
    if (rest.rfind("<?", 0) == 0) return skip_past("?>", "an unclosed <? ... ?>");
    if (rest.rfind("<!--", 0) == 0) return skip_past("-->", "an unclosed comment");
    if (rest.rfind("<![CDATA[", 0) == 0) return read_cdata();
    if (rest.rfind("<!", 0) == 0) return fail("a DOCTYPE or other declaration (not accepted)", pos_);
    if (rest.rfind("</", 0) == 0) return read_closing_tag();
    return read_opening_tag();
  }

  // Text up to the next '<': the open element's, or (outside the root) only white space.
  Status read_text() {
    const size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] != '<') ++pos_;
    const std::string_view raw = in_.substr(start, pos_ - start);
    if (!open_.empty()) return decode_text(raw, start, open_.back().text);
    for (const char c : raw)
      if (!is_xml_space(c)) return fail("text outside the root element", start);
    return {};
  }

  // <![CDATA[...]]>: its bytes, as they are, join the open element's text.
  Status read_cdata() {
    if (open_.empty()) return fail("CDATA outside the root element", pos_);
    const size_t start = pos_ + 9;
    const size_t end = in_.find("]]>", start);
    if (end == std::string_view::npos) return fail("an unclosed CDATA section", pos_);
    open_.back().text.append(in_.substr(start, end - start));
    pos_ = end + 3;
    return {};
  }

  Status read_closing_tag() {
    const size_t at = pos_;
    pos_ += 2;
    const std::string_view name = read_name();
    skip_space();
    if (pos_ >= in_.size() || in_[pos_] != '>') return fail("a malformed closing tag", at);
    ++pos_;
    if (open_.empty() || open_.back().name != name)
      return fail("</" + std::string(name) + "> does not close the open element", at);
    XmlElement done = std::move(open_.back());
    open_.pop_back();
    place(std::move(done));
    return {};
  }

  Status read_opening_tag() {
    const size_t at = pos_;
    if (have_root_) return fail("a second root element", at);
    if (open_.size() >= kMaxXmlDepth) return fail("elements nested deeper than " + std::to_string(kMaxXmlDepth), at);
    S3DEST_TRY(count_item(at));
    ++pos_;
    XmlElement element;
    element.name = std::string(read_name());
    if (element.name.empty()) return fail("a '<' that starts no element", at);
    bool self_closing = false;
    S3DEST_TRY(read_attributes(element, self_closing));
    if (self_closing) {
      place(std::move(element));
    } else {
      open_.push_back(std::move(element));
    }
    return {};
  }

  // A complete element becomes the root, or a child of the element still open around it.
  void place(XmlElement done) {
    if (open_.empty()) {
      root_ = std::move(done);
      have_root_ = true;
    } else {
      open_.back().children.push_back(std::move(done));
    }
  }

  // One more element or attribute, against kMaxXmlElements.
  Status count_item(size_t at) {
    if (++items_ > kMaxXmlElements)
      return fail("more than " + std::to_string(kMaxXmlElements) + " elements and attributes", at);
    return {};
  }

  Status fail(const std::string& what, size_t at) const {
    return destination_error("not well-formed XML: " + what + " at byte " + std::to_string(at));
  }

  Status skip_past(std::string_view end, std::string_view what) {
    const size_t found = in_.find(end, pos_ + 2);
    if (found == std::string_view::npos) return fail(std::string(what), pos_);
    pos_ = found + end.size();
    return {};
  }

  void skip_space() {
    while (pos_ < in_.size() && is_xml_space(in_[pos_])) ++pos_;
  }

  std::string_view read_name() {
    const size_t start = pos_;
    while (pos_ < in_.size() && is_xml_name_char(in_[pos_])) ++pos_;
    return in_.substr(start, pos_ - start);
  }

  Status read_attributes(XmlElement& element, bool& self_closing) {
    for (;;) {
      const size_t before = pos_;
      skip_space();
      if (pos_ >= in_.size()) return fail("an unclosed tag <" + element.name, before);
      if (in_[pos_] == '>') {
        ++pos_;
        return {};
      }
      if (in_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        self_closing = true;
        return {};
      }
      if (pos_ == before) return fail("no space before an attribute in <" + element.name + ">", pos_);
      const size_t at = pos_;
      std::string name(read_name());
      if (name.empty()) return fail("a malformed attribute in <" + element.name + ">", at);
      skip_space();
      if (pos_ >= in_.size() || in_[pos_] != '=') return fail("an attribute without '=' in <" + element.name + ">", at);
      ++pos_;
      skip_space();
      if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\''))
        return fail("an unquoted attribute value in <" + element.name + ">", at);
      const char quote = in_[pos_++];
      const size_t end = in_.find(quote, pos_);
      if (end == std::string_view::npos) return fail("an unclosed attribute value in <" + element.name + ">", at);
      const std::string_view raw = in_.substr(pos_, end - pos_);
      if (raw.find('<') != std::string_view::npos) return fail("'<' inside an attribute value", pos_);
      std::string value;
      S3DEST_TRY(decode_text(raw, pos_, value));
      pos_ = end + 1;
      S3DEST_TRY(count_item(at));
      element.attributes.emplace_back(std::move(name), std::move(value));
    }
  }

  // Appends `raw` with its entities and character references decoded.
  Status decode_text(std::string_view raw, size_t offset, std::string& out) const {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out.push_back(raw[i]);
        continue;
      }
      const size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos || semi - i > 12) return fail("a '&' that starts no entity", offset + i);
      const std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "lt") out.push_back('<');
      else if (entity == "gt") out.push_back('>');
      else if (entity == "amp") out.push_back('&');
      else if (entity == "quot") out.push_back('"');
      else if (entity == "apos") out.push_back('\'');
      else if (entity.size() >= 2 && entity[0] == '#') {
        const bool hex = entity[1] == 'x';
        const std::string_view digits = entity.substr(hex ? 2 : 1);
        if (digits.empty()) return fail("an empty character reference", offset + i);
        uint32_t cp = 0;
        for (const char c : digits) {
          int v = -1;
          if (c >= '0' && c <= '9') v = c - '0';
          else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
          else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
          if (v < 0) return fail("a malformed character reference", offset + i);
          cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
          if (cp > 0x10FFFF) return fail("a character reference past U+10FFFF", offset + i);
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return fail("a character reference to no character", offset + i);
        append_utf8(out, cp);
      } else {
        return fail("the unknown entity &" + std::string(entity) + ";", offset + i);
      }
      i = semi;
    }
    return {};
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t items_ = 0;  // elements and attributes read, against kMaxXmlElements
  std::vector<XmlElement> open_;  // the elements not yet closed, outermost first
  XmlElement root_;
  bool have_root_ = false;
};

inline void format_element(std::string& out, const XmlElement& e) {
  // Explicit stack: the element's depth is not bounded by the parser when built by hand.
  struct Frame {
    const XmlElement* element;
    size_t next_child;
  };
  std::vector<Frame> stack{{&e, 0}};
  auto open_tag = [&out](const XmlElement& x) {
    out.push_back('<');
    out += x.name;
    for (const auto& [name, value] : x.attributes) {
      out.push_back(' ');
      out += name;
      out += "=\"";
      append_xml_escaped(out, value);
      out.push_back('"');
    }
    out.push_back('>');
    append_xml_escaped(out, x.text);
  };
  open_tag(e);
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next_child < top.element->children.size()) {
      const XmlElement& c = top.element->children[top.next_child++];
      open_tag(c);
      stack.push_back({&c, 0});
    } else {
      out += "</";
      out += top.element->name;
      out.push_back('>');
      stack.pop_back();
    }
  }
}

}  // namespace detail

inline std::string_view XmlElement::local_name() const { return detail::local_part(name); }

inline const XmlElement* XmlElement::child(std::string_view wanted) const {
  for (const XmlElement& c : children)
    if (c.local_name() == wanted) return &c;
  return nullptr;
}

inline std::string XmlElement::child_text(std::string_view wanted) const {
  const XmlElement* c = child(wanted);
  return c ? c->text : std::string();
}

inline const XmlElement* XmlElement::find(std::initializer_list<std::string_view> path) const {
  const XmlElement* at = this;
  for (const std::string_view name : path) {
    at = at->child(name);
    if (at == nullptr) return nullptr;
  }
  return at;
}

inline Result<XmlElement> parse_xml(std::string_view document) {
  // A UTF-8 byte order mark may precede the declaration.
  if (document.substr(0, 3) == "\xEF\xBB\xBF") document.remove_prefix(3);
  return detail::XmlParser(document).parse();
}

inline void append_xml_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;  // a raw CR would not survive a strict reader's line-end rules
      default: out.push_back(c);
    }
  }
}

inline std::string format_xml(const XmlElement& element) {
  std::string out;
  detail::format_element(out, element);
  return out;
}

}  // namespace s3dest::aws
