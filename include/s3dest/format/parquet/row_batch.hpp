// Rows on their way into a file's column writers, kept with each row's fields already
// found, so that every column can take its values from the batch on a thread of its own.
//
//   RowBatch batch;
//   batch.add(record, fields);                 // fields: string_views into `record`
//   for (uint64_t row = 0; row < batch.rows(); ++row)
//     if (const auto value = batch.field(row, column, columns)) writer.add(*value);
//     else writer.add_null();
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s3dest::parquet {

class RowBatch {
 public:
  // A row's fields: each a view into `record`, or nullopt for a null. A batch holds less
  // than 4 GiB of records.
  void add(std::string_view record, const std::vector<std::optional<std::string_view>>& fields) {
    const size_t base = records_.size();
    records_.append(record);
    for (const auto& field : fields) {
      if (!field) {
        fields_.push_back({0, kNull});
      } else {
        fields_.push_back({static_cast<uint32_t>(base + static_cast<size_t>(field->data() - record.data())),
                           static_cast<uint32_t>(field->size())});
      }
    }
    ++rows_;
  }

  // Row `row`'s value in `column` (of `columns` a row), nullopt for a null.
  std::optional<std::string_view> field(uint64_t row, size_t column, size_t columns) const {
    const Field& f = fields_[row * columns + column];
    if (f.size == kNull) return std::nullopt;
    return std::string_view(records_).substr(f.offset, f.size);
  }

  uint64_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  uint64_t record_bytes() const { return records_.size(); }
  uint64_t values() const { return fields_.size(); }
  uint64_t memory() const { return records_.capacity() + fields_.capacity() * sizeof(Field); }

  void clear() {
    records_.clear();
    fields_.clear();
    rows_ = 0;
  }
  void release() {
    std::string().swap(records_);
    std::vector<Field>().swap(fields_);
    rows_ = 0;
  }

 private:
  static constexpr uint32_t kNull = UINT32_MAX;
  struct Field {
    uint32_t offset;
    uint32_t size;  // kNull for a null
  };

  std::string records_;
  std::vector<Field> fields_;  // row after row
  uint64_t rows_ = 0;
};

}  // namespace s3dest::parquet
