// Bytes written as numbers, for tests that hold encoded output against a specification's
// example:
//
//   BOOST_TEST(encode({0, 1, 2, 3, 4, 5, 6, 7}, 3) == test_helpers::bytes({0x03, 0x88, 0xC6, 0xFA}));
#pragma once

#include <initializer_list>
#include <string>

namespace test_helpers {

inline std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

}  // namespace test_helpers
