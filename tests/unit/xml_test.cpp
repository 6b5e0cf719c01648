#define BOOST_TEST_MODULE xml
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/aws/xml.hpp"

using namespace s3dest;
using namespace s3dest::aws;

namespace {

XmlElement parse_ok(std::string_view text) {
  auto document = parse_xml(text);
  BOOST_REQUIRE_MESSAGE(document.ok(), document.status().message());
  return *document;
}

std::string parse_error(std::string_view text) {
  auto document = parse_xml(text);
  BOOST_REQUIRE_MESSAGE(!document.ok(), "parsed: " << text);
  BOOST_TEST(document.status().exit_code() == 4);
  return document.status().message();
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_an_sts_assume_role_response) {
  const XmlElement root = parse_ok(R"(<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
      <SecretAccessKey>secret/with+chars</SecretAccessKey>
      <SessionToken>token==</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>)");
  BOOST_TEST(root.name == "AssumeRoleResponse");
  BOOST_REQUIRE(root.attributes.size() == 1u);
  BOOST_TEST(root.attributes[0].first == "xmlns");
  const XmlElement* credentials = root.find({"AssumeRoleResult", "Credentials"});
  BOOST_REQUIRE(credentials != nullptr);
  BOOST_TEST(credentials->child_text("AccessKeyId") == "ASIAEXAMPLE");
  BOOST_TEST(credentials->child_text("SecretAccessKey") == "secret/with+chars");
  BOOST_TEST(credentials->child_text("Expiration") == "2019-11-09T13:34:41Z");
  BOOST_TEST(credentials->child_text("Missing") == "");
  BOOST_TEST(root.find({"AssumeRoleResult", "Nope"}) == nullptr);
  BOOST_TEST(root.find({"AssumeRoleResult", "AssumedRoleUser"})->child_text("Arn") ==
             "arn:aws:sts::123456789012:assumed-role/demo/s");
}

BOOST_AUTO_TEST_CASE(decodes_entities_character_references_and_cdata) {
  const XmlElement root =
      parse_ok("<a>x &lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x263a;&#128512;<![CDATA[<raw> & ]]>end</a>");
  BOOST_TEST(root.text == "x <>&\"' AB\xE2\x98\xBA\xF0\x9F\x98\x80<raw> & end");
  const XmlElement attr = parse_ok("<a k='v &amp; &quot;q&quot;' k2 = \"2\" />");
  BOOST_REQUIRE(attr.attributes.size() == 2u);
  BOOST_TEST(attr.attributes[0].second == "v & \"q\"");
  BOOST_TEST(attr.attributes[1].first == "k2");
  BOOST_TEST(attr.attributes[1].second == "2");
}

BOOST_AUTO_TEST_CASE(keeps_prefixes_but_finds_children_by_local_name) {
  const XmlElement root = parse_ok("<s3:Error xmlns:s3='u'><s3:Code>NoSuchKey</s3:Code></s3:Error>");
  BOOST_TEST(root.name == "s3:Error");
  BOOST_TEST(root.local_name() == "Error");
  BOOST_TEST(root.child_text("Code") == "NoSuchKey");
}

BOOST_AUTO_TEST_CASE(skips_declarations_comments_and_a_byte_order_mark) {
  const XmlElement root = parse_ok("\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- hi --><Error><!--x--><Code>C</Code></Error>\n");
  BOOST_TEST(root.child_text("Code") == "C");
  BOOST_TEST(root.children.size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_empty_message_element_is_empty_text) {
  // radosgw sends <Message></Message>; the AWS CLI 2.9 crashes on it, we must not.
  const XmlElement root = parse_ok("<Error><Code>AccessDenied</Code><Message></Message><Empty/></Error>");
  BOOST_TEST(root.child_text("Message") == "");
  BOOST_TEST(root.child("Empty") != nullptr);
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_well_formed_and_says_where) {
  BOOST_TEST(parse_error("").find("no root element") != std::string::npos);
  BOOST_TEST(parse_error("not xml").find("text outside the root element at byte 0") != std::string::npos);
  BOOST_TEST(parse_error("<a><b></a>").find("</a> does not close the open element at byte 6") != std::string::npos);
  BOOST_TEST(parse_error("<a>").find("<a> is never closed") != std::string::npos);
  BOOST_TEST(parse_error("<a></a><b/>").find("a second root element") != std::string::npos);
  BOOST_TEST(parse_error("<a>&bogus;</a>").find("unknown entity &bogus;") != std::string::npos);
  BOOST_TEST(parse_error("<a>& </a>").find("'&' that starts no entity") != std::string::npos);
  BOOST_TEST(parse_error("<a>&#0;</a>").find("no character") != std::string::npos);
  BOOST_TEST(parse_error("<a>&#xD800;</a>").find("no character") != std::string::npos);
  BOOST_TEST(parse_error("<a>&#x110000;</a>").find("past U+10FFFF") != std::string::npos);
  BOOST_TEST(parse_error("<a>&#x;</a>").find("empty character reference") != std::string::npos);
  BOOST_TEST(parse_error("<a k=v/>").find("unquoted attribute") != std::string::npos);
  BOOST_TEST(parse_error("<a k='<'/>").find("'<' inside an attribute") != std::string::npos);
  BOOST_TEST(parse_error("<a k='x'j='y'/>").find("no space before an attribute") != std::string::npos);
  BOOST_TEST(parse_error("<a><![CDATA[x</a>").find("unclosed CDATA") != std::string::npos);
  BOOST_TEST(parse_error("<a><!-- x</a>").find("unclosed comment") != std::string::npos);
  BOOST_TEST(parse_error("<a>< b/></a>").find("starts no element") != std::string::npos);
  BOOST_TEST(parse_error("<a").find("unclosed tag") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_doctypes_so_no_entity_can_expand) {
  const std::string bomb = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><a>&lol2;</a>";
  BOOST_TEST(parse_error(bomb).find("DOCTYPE") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nesting_is_capped_without_recursion) {
  std::string deep;
  for (size_t i = 0; i < kMaxXmlDepth; ++i) deep += "<a>";
  for (size_t i = 0; i < kMaxXmlDepth; ++i) deep += "</a>";
  parse_ok(deep);
  std::string deeper;
  for (int i = 0; i < 100000; ++i) deeper += "<a>";
  BOOST_TEST(parse_error(deeper).find("nested deeper than 64") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_xml_writes_what_parses_back_the_same) {
  XmlElement root{"CompleteMultipartUpload", {}, "", {}};
  for (int i = 1; i <= 2; ++i) {
    XmlElement part{"Part", {}, "", {}};
    part.children.push_back({"PartNumber", {}, std::to_string(i), {}});
    part.children.push_back({"ETag", {}, "\"etag & <" + std::to_string(i) + ">'\"", {}});
    root.children.push_back(part);
  }
  root.attributes.push_back({"xmlns", "http://s3.amazonaws.com/doc/2006-03-01/"});
  const std::string text = format_xml(root);
  BOOST_TEST(text ==
             "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"
             "<ETag>&quot;etag &amp; &lt;1&gt;&apos;&quot;</ETag></Part><Part><PartNumber>2</PartNumber>"
             "<ETag>&quot;etag &amp; &lt;2&gt;&apos;&quot;</ETag></Part></CompleteMultipartUpload>");
  const XmlElement back = parse_ok(text);
  BOOST_TEST(format_xml(back) == text);
  BOOST_TEST(back.children.at(1).child_text("ETag") == "\"etag & <2>'\"");
}

BOOST_AUTO_TEST_CASE(a_reply_of_too_many_elements_or_attributes_is_refused_not_held) {
  std::string many = "<r>";
  for (size_t i = 0; i <= aws::kMaxXmlElements; ++i) many += "<a/>";
  many += "</r>";
  const auto elements = aws::parse_xml(many);
  BOOST_REQUIRE(!elements.ok());
  BOOST_TEST(elements.status().message().find("more than 25000 elements and attributes") != std::string::npos);
  std::string attributes = "<r";
  for (size_t i = 0; i <= aws::kMaxXmlElements; ++i) attributes += " a" + std::to_string(i) + "=\"\"";
  attributes += "/>";
  BOOST_TEST(!aws::parse_xml(attributes).ok());
  std::string page = "<ListBucketResult>";  // a full page of a listing is far from the cap
  for (int i = 0; i < 1000; ++i) page += "<Contents><Key>k</Key><LastModified>t</LastModified><ETag>e</ETag>"
                                         "<Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>";
  BOOST_TEST(aws::parse_xml(page + "</ListBucketResult>").ok());
}
