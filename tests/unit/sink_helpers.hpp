// Writing an object through any ObjectSink as a load does (create, write, commit), for the
// sink tests:
//
//   S3Sink sink(client, S3SinkOptions{});
//   auto info = test_helpers::put(sink, test_helpers::new_object("a/x.csv"), {"x,", "y\n"});
//   BOOST_TEST(!test_helpers::put(sink, test_helpers::new_object("k", true, ExistingObjects::keep), "z").ok());
//   test_helpers::committed(local_sink, test_helpers::new_object("a/y.csv"), "y\n");  // must succeed
#pragma once

#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "s3dest/core/object_sink.hpp"

namespace test_helpers {

// The object for `key`; `existed`: the run's listing found an object there.
inline s3dest::NewObject new_object(std::string key, bool existed = false,
                                    s3dest::ExistingObjects if_exists = s3dest::ExistingObjects::replace) {
  s3dest::NewObject object;
  object.key = std::move(key);
  object.prior = existed;
  object.if_exists = if_exists;
  return object;
}

// Creates `object` (which must succeed), writes `pieces` one write() each, and commits:
// the first failure of a write or the commit.
inline s3dest::Result<s3dest::ObjectInfo> put(s3dest::ObjectSink& sink, const s3dest::NewObject& object,
                                              std::initializer_list<std::string_view> pieces) {
  auto writer = sink.create(object);
  BOOST_TEST_REQUIRE(writer.ok(), writer.status().message());
  for (const std::string_view piece : pieces) S3DEST_TRY((*writer)->write(piece));
  return (*writer)->commit();
}

inline s3dest::Result<s3dest::ObjectInfo> put(s3dest::ObjectSink& sink, const s3dest::NewObject& object,
                                              std::string_view bytes) {
  return put(sink, object, {bytes});
}

// put() for an object that must be committed.
inline s3dest::ObjectInfo committed(s3dest::ObjectSink& sink, const s3dest::NewObject& object,
                                    std::string_view bytes) {
  auto info = put(sink, object, bytes);
  BOOST_TEST_REQUIRE(info.ok(), info.status().message());
  return *info;
}

}  // namespace test_helpers
