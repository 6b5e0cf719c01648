// A source read twice from its start where it cannot be opened again (standard input):
// the first reading keeps the bytes it takes, the second reads those, then the rest. So a
// pipe's first rows can be looked at (schema inference) and the whole input then cut into
// blocks and parsed on every core, as a file is.
//
//   RereadableSource input(std::move(stdin_source));
//   auto reader = open_row_reader(input.first_reading(), ...);  // takes the first rows
//   reader.reset();
//   parse_everything(input.second_reading());                   // every byte, from the start
//
// Only the first reading's bytes are kept: the caller bounds them by how far it reads
// (inference stops at its sample size), and the second reading lets them go once passed.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "s3dest/core/byte_source.hpp"

namespace s3dest {

class RereadableSource {
 public:
  explicit RereadableSource(std::unique_ptr<ByteSource> source) : state_(std::make_shared<State>()) {
    state_->name = source->name();
    state_->source = std::move(source);
  }

  // Reads the source, keeping what it reads.
  std::unique_ptr<ByteSource> first_reading() const {
    return ByteSource::from_function(
        [state = state_](char* buf, size_t cap) -> Result<size_t> {
          S3DEST_ASSIGN_OR_RETURN(const size_t n, state->source->read(buf, cap));
          state->kept.append(buf, n);
          return n;
        },
        state_->name);
  }

  // Reads what the first reading kept, then the rest of the source. Take it once, after
  // the first reading is done with.
  std::unique_ptr<ByteSource> second_reading() const {
    return ByteSource::from_function(
        [state = state_](char* buf, size_t cap) -> Result<size_t> {
          if (state->passed < state->kept.size()) {
            const size_t n = std::min(cap, state->kept.size() - state->passed);
            std::memcpy(buf, state->kept.data() + state->passed, n);
            state->passed += n;
            if (state->passed == state->kept.size()) std::string().swap(state->kept);  // its memory back
            return n;
          }
          return state->source->read(buf, cap);
        },
        state_->name);
  }

 private:
  struct State {
    std::unique_ptr<ByteSource> source;
    std::string name;
    std::string kept;
    size_t passed = 0;  // of `kept`, by the second reading
  };
  std::shared_ptr<State> state_;  // the readings' functions share it
};

}  // namespace s3dest
