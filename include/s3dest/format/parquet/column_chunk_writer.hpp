// One column's part of a row group: values in, a finished column chunk out.
//
//   [dictionary page] [data page] [data page] ...
//
// Data pages are version 1: definition levels (nullable columns only: RLE/bit-packed
// hybrid with bit width 1 behind a 4-byte length), then the values, compressed together.
//
// Every column but BOOLEAN starts a chunk dictionary-encoded: values become indices into
// the chunk's dictionary (RLE_DICTIONARY pages), and the dictionary itself is written
// first, PLAIN, when the chunk is done. The writer falls back to PLAIN pages
//   - after the first kDictionaryEarlyProbeValues values, if every one was new (ids,
//     timestamps, measures: hashing them into a table of thousands cost a tenth of a
//     partitioned parquet load), or for numbers, all but 1% (early_drop());
//   - after the first kDictionaryProbeValues values and at the end of the first page, if
//     the dictionary and the indices together are not smaller than the same values PLAIN
//     (the values hardly repeat): the page becomes PLAIN and the dictionary is dropped;
//   - from the start, when the column's last kPlainAfterDrops chunks (of any file of the
//     format: ColumnHistory) dropped theirs, except every kReprobeChunks-th chunk, which
//     tries again: a year of daily files otherwise hashes its first thousand distinct
//     values in every file only to drop them; and as soon as they have, for chunks that
//     started before (unsorted input opens hundreds of files at once, before any of them
//     learned anything);
//   - when the dictionary would outgrow its limit: pages written so far keep it, later
//     pages are PLAIN;
//   - when the file is close to its size cap (settle()): the dictionary is finished then,
//     so its size is known, not estimated.
// Pages close when their values reach the page size.
//
// Statistics (min, max, null count) cover the whole chunk. In dictionary mode every value
// is in the dictionary, so only new entries are compared; PLAIN numbers (INT32, INT64,
// DOUBLE) are compared a page at a time, in a loop over the page's values.
//
// Definition levels are put a run at a time: a column without nulls has one run a page.
//
// A writer holds no codec state: pages are built and compressed in the PageWorkspace of
// the calling thread. One thread at a time may call a writer, but any thread may.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/little_endian.hpp"
#include "s3dest/core/segmented_bytes.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/format/parquet/column_layout.hpp"
#include "s3dest/format/parquet/dictionary.hpp"
#include "s3dest/format/parquet/metadata.hpp"
#include "s3dest/format/parquet/page_codec.hpp"
#include "s3dest/format/parquet/rle_hybrid.hpp"
#include "s3dest/format/parquet/thrift_compact.hpp"

namespace s3dest::parquet {

struct ColumnChunkLimits {
  // Values per data page, before compression: about what parquet-mr's 20,000-row page
  // limit gives, and small enough that every open file can keep a page per column.
  size_t page_bytes = size_t{128} << 10;
  size_t dictionary_bytes = size_t{1} << 20;  // the dictionary page, before compression
};

// What each buffer of a thread's PageWorkspace keeps between pages, at most: room for the
// largest page these limits make, compressed.
inline size_t workspace_bytes(const PageCodec& codec, const ColumnChunkLimits& limits) {
  return static_cast<size_t>(codec.bound(std::max(limits.page_bytes, limits.dictionary_bytes)));
}

// What the chunks of one column so far (in any file of a format, on any thread) tell the
// next: values of one column tend to repeat alike from file to file.
struct ColumnHistory {
  // Entries the last finished dictionary had, kept or dropped: the next table starts at
  // that size rather than growing to it.
  std::atomic<uint32_t> dictionary_entries{0};
  // The last chunks in a row that dropped their dictionary, and the chunks started PLAIN
  // since the last that tried one.
  std::atomic<uint32_t> drops_in_a_row{0};
  std::atomic<uint32_t> plain_starts{0};
};

class ColumnChunkWriter {
 public:
  // `codec` gives the compression and its bounds (it compresses nothing here); it is
  // shared with the file's other columns and must outlive this. `history`, if given, is
  // shared with the writers of the same column in other files (of one format, on any
  // thread), and must outlive this: each chunk starts from what the last ones learned
  // (how big a dictionary gets, whether one pays at all), and tells its own.
  ColumnChunkWriter(ColumnLayout layout, const PageCodec& codec, ColumnChunkLimits limits,
                    ColumnHistory* history = nullptr);

  Status add_null();
  // `plain`: the value's PLAIN encoding (append_plain_value).
  Status add(std::string_view plain);

  // Most bytes the chunk's pages, with their headers, can take in the file if it is
  // written now.
  uint64_t file_bytes_bound() const;
  // Most bytes its metadata can take in the footer.
  uint64_t metadata_bound() const;
  // Most that file_bytes_bound() can grow, besides the new values themselves, as values
  // are added: the open page's dictionary indices widening to 32 bits.
  uint64_t widening_bound() const { return mode_ == Mode::dictionary ? indices_.size() * 4 + 8 : 0; }
  // Bytes allocated for this row group's data: pages, the open page, the dictionary,
  // and the room their buffers keep from earlier row groups.
  uint64_t memory() const;
  // This row group's data alone: pages, the open page's values, the dictionary.
  uint64_t data_bytes() const;
  // Frees the buffers an empty writer keeps for the next pages (after write()).
  void release_buffers();

  // Makes file_bytes_bound() exact for the values so far: closes the open page and
  // finishes the dictionary (the rest of the chunk is PLAIN).
  Status settle();

  // Writes the chunk to `out`, where it starts at file offset `offset`, and returns its
  // metadata; the writer is then empty, ready for the next row group.
  Result<ColumnChunkMetadata> write(ByteSink& out, uint64_t offset);

  const ColumnLayout& layout() const { return layout_; }

  // Longest min or max value kept in the statistics; longer ones are left out (a
  // truncated bound would need readers to honour is_max_value_exact).
  static constexpr size_t kMaxStatisticBytes = 1024;
  // Longest page header this writer encodes (sizes and counts as 5-byte varints).
  static constexpr uint64_t kMaxPageHeaderBytes = 48;
  // Most values in one data page, whatever their size: num_values is an i32, and columns
  // of nulls would otherwise grow pages without end.
  static constexpr int32_t kMaxPageValues = 1 << 20;
  // Values after which the first page checks that its dictionary pays, so columns of
  // distinct values stop hashing early.
  static constexpr size_t kDictionaryProbeValues = 8192;
  // Values after which a dictionary that hardly repeats is dropped (early_drop()).
  static constexpr size_t kDictionaryEarlyProbeValues = 1024;
  // Values between two looks at the column's history, on the first page (a divisor of
  // both probes above).
  static constexpr size_t kHistoryProbeValues = 128;
  // Chunks in a row that dropped their dictionary, after which the next start PLAIN; and
  // how many start so before one tries a dictionary again (the values may have changed).
  static constexpr uint32_t kPlainAfterDrops = 2;
  static constexpr uint32_t kReprobeChunks = 16;

 private:
  enum class Mode { dictionary, plain };

  Status close_page();
  Status finish_dictionary();
  bool dictionary_pays() const;
  bool early_drop() const;
  // Whether other chunks of the column dropped their dictionaries since this one started
  // with its own (unless it is trying one again).
  bool history_drops() const;
  // `learned`: whether this chunk's own values led to it, which the history is told.
  void drop_dictionary(bool learned = true);
  // Tells the writers of this column in later chunks how big the dictionary got, and
  // whether it was kept: theirs is likely to end alike.
  void remember_dictionary(bool kept);
  // Compresses `content` and appends it, behind its header, to `to`.
  Status write_page(PageType type, Encoding encoding, int32_t num_values, std::string_view content,
                    SegmentedBytes& to);
  void update_statistics(std::string_view plain);
  // The open page's PLAIN numbers into the statistics (statistics_per_page_ columns).
  void update_page_statistics();
  template <typename Number>
  void widen_bounds(std::string_view values);
  void put_pending_levels();
  Statistics statistics() const;
  void count_page(PageType type, Encoding encoding);
  // A new chunk's mode, from the column's history (which counts the chunks started PLAIN).
  Mode start_mode();
  static bool numbers(const ColumnLayout& layout) {
    return layout.physical == PhysicalType::int32 || layout.physical == PhysicalType::int64 ||
           layout.physical == PhysicalType::double_;
  }

  PageWorkspace& workspace() const { return PageWorkspace::of_this_thread(codec_.compression()); }

  ColumnLayout layout_;
  const PageCodec& codec_;
  ColumnChunkLimits limits_;
  Mode mode_;
  bool reprobe_ = false;  // a chunk started with a dictionary despite its history
  bool statistics_per_page_;  // PLAIN values are compared when their page closes

  // The open page.
  RleHybridEncoder levels_{1, RlePrefix::length_4_bytes};
  uint32_t levels_pending_ = 0;    // values (level 1) since the last null, not in levels_ yet
  std::string values_;             // PLAIN values (plain mode)
  std::vector<uint32_t> indices_;  // dictionary indices (dictionary mode)
  uint64_t page_plain_bytes_ = 0;  // the page's values as PLAIN, for the first-page check
  int32_t page_values_ = 0;        // values and nulls

  // The chunk so far.
  Dictionary dictionary_;
  ColumnHistory* history_;
  SegmentedBytes dictionary_page_;  // header and compressed page, once finished
  SegmentedBytes data_pages_;       // headers and compressed pages
  int32_t data_pages_count_ = 0;
  ColumnChunkMetadata meta_;
  // Statistic bytes: the least and greatest value so far, or for one longer than
  // kMaxStatisticBytes (left out of the statistics) its first kMaxStatisticBytes + 1 bytes.
  // Values compare as whole ones do against that prefix (only byte strings grow that long,
  // and they compare byte by byte). A whole copy, held per file and column, was memory no
  // budget counted: a load of 200 KB strings over 332 partitions at memory_limit_mb 32
  // peaked at 92 MB, and at 62 MB so.
  std::string min_, max_;
  bool has_min_max_ = false;
};

inline ColumnChunkWriter::ColumnChunkWriter(ColumnLayout layout, const PageCodec& codec, ColumnChunkLimits limits,
                                            ColumnHistory* history)
    : layout_(std::move(layout)),
      codec_(codec),
      limits_(limits),
      statistics_per_page_(numbers(layout_)),
      history_(history) {
  mode_ = start_mode();
  // A partitioned load opens hundreds of small files, where growing each dictionary from
  // 16 slots was a third of its hashing.
  if (history_) dictionary_.expect(history_->dictionary_entries.load(std::memory_order_relaxed));
}

inline ColumnChunkWriter::Mode ColumnChunkWriter::start_mode() {
  reprobe_ = false;
  if (layout_.physical == PhysicalType::boolean) return Mode::plain;
  if (!history_ || history_->drops_in_a_row.load(std::memory_order_relaxed) < kPlainAfterDrops) return Mode::dictionary;
  // Relaxed counts: writers on other threads may start the same count, and a probe comes
  // a chunk early or late.
  if (history_->plain_starts.fetch_add(1, std::memory_order_relaxed) + 1 < kReprobeChunks) return Mode::plain;
  history_->plain_starts.store(0, std::memory_order_relaxed);
  reprobe_ = true;
  return Mode::dictionary;
}

inline bool ColumnChunkWriter::history_drops() const {
  return !reprobe_ && history_ && history_->drops_in_a_row.load(std::memory_order_relaxed) >= kPlainAfterDrops;
}

inline void ColumnChunkWriter::remember_dictionary(bool kept) {
  if (!history_ || mode_ != Mode::dictionary || dictionary_.size() == 0) return;  // nothing learned
  history_->dictionary_entries.store(static_cast<uint32_t>(dictionary_.size()), std::memory_order_relaxed);
  if (kept) history_->drops_in_a_row.store(0, std::memory_order_relaxed);
  else history_->drops_in_a_row.fetch_add(1, std::memory_order_relaxed);
}

inline Status ColumnChunkWriter::add_null() {
  put_pending_levels();
  levels_.put(0);
  ++page_values_;
  ++meta_.statistics.null_count;
  if (page_values_ >= kMaxPageValues) return close_page();
  return {};
}

inline Status ColumnChunkWriter::add(std::string_view plain) {
  if (mode_ == Mode::dictionary) {
    bool added = false;
    if (const uint32_t index = dictionary_.find_or_add(plain, limits_.dictionary_bytes, added);
        index != Dictionary::kFull) {
      if (added) update_statistics(plain);
      indices_.push_back(index);
      page_plain_bytes_ += plain.size();
      levels_pending_ += layout_.optional;
      ++page_values_;
      if (data_pages_count_ == 0 && indices_.size() % kHistoryProbeValues == 0) {
        if ((indices_.size() == kDictionaryEarlyProbeValues && early_drop()) ||
            (indices_.size() == kDictionaryProbeValues && !dictionary_pays())) {
          drop_dictionary();
          return {};
        }
        if (history_drops()) {
          drop_dictionary(false);
          return {};
        }
      }
      if (indices_.size() * 4 >= limits_.page_bytes || page_values_ >= kMaxPageValues) return close_page();
      return {};
    }
    S3DEST_TRY(finish_dictionary());  // full: this value and the rest go PLAIN
  }
  if (!statistics_per_page_) update_statistics(plain);
  values_.append(plain);
  page_plain_bytes_ += plain.size();
  levels_pending_ += layout_.optional;
  ++page_values_;
  if (values_.size() >= limits_.page_bytes || page_values_ >= kMaxPageValues) return close_page();
  return {};
}

inline uint64_t ColumnChunkWriter::file_bytes_bound() const {
  uint64_t bound = dictionary_page_.size() + data_pages_.size();
  if (mode_ == Mode::dictionary && dictionary_.size() > 0)
    bound += kMaxPageHeaderBytes + codec_.bound(dictionary_.page().size());
  if (page_values_ > 0) {
    // Definition levels: what is encoded, plus the encoder's pending run (header and
    // value) or group, and the run of levels_pending_.
    uint64_t content = layout_.optional ? levels_.bytes().size() + 32 : 0;
    if (mode_ == Mode::dictionary) {
      // Indices are RLE/bit-packed at page close, at the bit width the dictionary then
      // has (one more entry at most per value still to come is covered by size()). Runs
      // cost at most 3 bits per value over the packed width, plus a partial group.
      const auto width = static_cast<uint64_t>(std::max(1, rle_bit_width(static_cast<uint32_t>(dictionary_.size()))));
      content += 1 + (indices_.size() * (width + 3) + 7) / 8 + 16;
    } else {
      content += values_.size();
    }
    bound += kMaxPageHeaderBytes + codec_.bound(content);
  }
  return bound;
}

inline uint64_t ColumnChunkWriter::metadata_bound() const {
  // Numbers of the open page may not be in the bounds yet; theirs have the value's width.
  if (statistics_per_page_ && (has_min_max_ || !values_.empty()))
    return column_chunk_metadata_bound(layout_, 2 * layout_.value_width);
  const bool kept = has_min_max_ && min_.size() <= kMaxStatisticBytes && max_.size() <= kMaxStatisticBytes;
  return column_chunk_metadata_bound(layout_, kept ? min_.size() + max_.size() : 0);
}

inline uint64_t ColumnChunkWriter::memory() const {
  return dictionary_page_.memory() + data_pages_.memory() + values_.capacity() + indices_.capacity() * 4 +
         levels_.bytes().capacity() + dictionary_.memory();
}

inline uint64_t ColumnChunkWriter::data_bytes() const {
  return dictionary_page_.size() + data_pages_.size() + values_.size() + indices_.size() * 4 +
         levels_.bytes().size() + dictionary_.page().size();
}

inline void ColumnChunkWriter::release_buffers() {
  std::string().swap(values_);
  std::vector<uint32_t>().swap(indices_);
  levels_.release();
  levels_pending_ = 0;
  dictionary_.release();
}

inline Status ColumnChunkWriter::settle() {
  S3DEST_TRY(close_page());
  if (mode_ == Mode::dictionary) S3DEST_TRY(finish_dictionary());
  return {};
}

inline Result<ColumnChunkMetadata> ColumnChunkWriter::write(ByteSink& out, uint64_t offset) {
  S3DEST_TRY(settle());
  ColumnChunkMetadata meta = std::move(meta_);
  if (!dictionary_page_.empty()) {
    meta.dictionary_page_offset = static_cast<int64_t>(offset);
    meta.encodings.push_back(Encoding::plain);
  }
  meta.data_page_offset = static_cast<int64_t>(offset + dictionary_page_.size());
  if (layout_.optional) meta.encodings.push_back(Encoding::rle);
  bool plain_pages = false, dictionary_pages = false;
  for (const PageEncodingCount& count : meta.encoding_stats) {
    if (count.page_type != PageType::data_page) continue;
    plain_pages |= count.encoding == Encoding::plain;
    dictionary_pages |= count.encoding == Encoding::rle_dictionary;
  }
  if (plain_pages && dictionary_page_.empty()) meta.encodings.push_back(Encoding::plain);
  if (dictionary_pages) meta.encodings.push_back(Encoding::rle_dictionary);
  meta.statistics = statistics();

  S3DEST_TRY(dictionary_page_.write_to(out));
  S3DEST_TRY(data_pages_.write_to(out));

  // Freed, not kept: a row group's pages are the bulk of what a file holds.
  dictionary_page_.clear();
  data_pages_.clear();
  data_pages_count_ = 0;
  meta_ = ColumnChunkMetadata{};
  has_min_max_ = false;
  min_.clear();
  max_.clear();
  mode_ = start_mode();
  return meta;
}

inline Status ColumnChunkWriter::close_page() {
  if (page_values_ == 0) return {};
  PageWorkspace& workspace = this->workspace();
  std::string& page = workspace.content;
  page.clear();
  if (layout_.optional) {
    put_pending_levels();
    page += levels_.finish();
  }
  Encoding encoding = Encoding::plain;
  if (mode_ == Mode::dictionary) {
    const auto largest_index = static_cast<uint32_t>(dictionary_.size() > 0 ? dictionary_.size() - 1 : 0);
    const int width = std::max(1, rle_bit_width(largest_index));
    std::string& encoded = workspace.indices;
    encoded.clear();
    rle_hybrid_encode(indices_.data(), indices_.size(), width, RlePrefix::bit_width_byte, encoded);
    const bool first_page = data_pages_count_ == 0;
    if (first_page && page_plain_bytes_ <= encoded.size() + dictionary_.page().size()) {
      drop_dictionary();
    } else {
      page += encoded;
      encoding = Encoding::rle_dictionary;
    }
  }
  if (encoding == Encoding::plain) {
    if (statistics_per_page_) update_page_statistics();
    if (layout_.physical == PhysicalType::boolean) {
      // BOOLEAN PLAIN is bit-packed, least significant bit first.
      const size_t start = page.size();
      page.append((values_.size() + 7) / 8, '\0');
      for (size_t i = 0; i < values_.size(); ++i)
        if (values_[i] != '\0') page[start + i / 8] = static_cast<char>(page[start + i / 8] | (1 << (i % 8)));
    } else {
      page += values_;
    }
  }
  S3DEST_TRY(write_page(PageType::data_page, encoding, page_values_, page, data_pages_));
  ++data_pages_count_;
  meta_.num_values += page_values_;
  levels_.reset();
  values_.clear();
  indices_.clear();
  page_plain_bytes_ = 0;
  page_values_ = 0;
  return {};
}

// At kDictionaryEarlyProbeValues values, whether the dictionary will not pay at
// kDictionaryProbeValues either. Values with no repeat at all: only a column cycling
// through more than a thousand values in order would have paid. Numbers (8 bytes or 4)
// with under 1% repeated come from tens of thousands of values or more, if drawn at
// random: at 8,192 most would still be new, and their indices (13 bits or more) with the
// entries would outweigh them PLAIN. Strings are not dropped on repeats: long ones pay
// with fewer repeats. Values drawn from a few thousand repeat well before.
inline bool ColumnChunkWriter::early_drop() const {
  const size_t repeated = indices_.size() - dictionary_.size();
  return repeated == 0 || (numbers(layout_) && repeated * 100 < indices_.size());
}

// The first page only: is the dictionary, with the indices at its present bit width,
// smaller than the values PLAIN? (Compression may narrow or widen the gap; this is the
// test parquet-mr makes.)
inline bool ColumnChunkWriter::dictionary_pays() const {
  const auto largest_index = static_cast<uint32_t>(dictionary_.size() > 0 ? dictionary_.size() - 1 : 0);
  const uint64_t indices_bytes = (indices_.size() * std::max(1, rle_bit_width(largest_index)) + 7) / 8;
  return indices_bytes + dictionary_.page().size() < page_plain_bytes_;
}

// The first page only: the values so far become PLAIN in the open page, and so does the
// rest of the chunk.
inline void ColumnChunkWriter::drop_dictionary(bool learned) {
  values_.clear();
  for (const uint32_t index : indices_) values_.append(dictionary_.entry(index));
  indices_.clear();
  if (learned) remember_dictionary(false);
  dictionary_.clear();
  mode_ = Mode::plain;
}

// Ends dictionary mode: the open page is closed with the dictionary as it is, the
// dictionary page is written (unless nothing used it), and later values go PLAIN.
inline Status ColumnChunkWriter::finish_dictionary() {
  S3DEST_TRY(close_page());
  if (mode_ == Mode::dictionary && data_pages_count_ > 0)
    S3DEST_TRY(write_page(PageType::dictionary_page, Encoding::plain, static_cast<int32_t>(dictionary_.size()),
                          dictionary_.page(), dictionary_page_));
  remember_dictionary(true);
  dictionary_.clear();
  mode_ = Mode::plain;
  return {};
}

inline Status ColumnChunkWriter::write_page(PageType type, Encoding encoding, int32_t num_values,
                                            std::string_view content, SegmentedBytes& to) {
  PageWorkspace& workspace = this->workspace();
  S3DEST_ASSIGN_OR_RETURN(const std::string_view compressed, workspace.codec.compress(content, workspace.compressed));
  PageHeader header;
  header.type = type;
  header.uncompressed_size = static_cast<int32_t>(content.size());
  header.compressed_size = static_cast<int32_t>(compressed.size());
  header.num_values = num_values;
  header.encoding = encoding;
  ThriftCompactWriter& encoded_header = workspace.header;
  encoded_header.clear();
  encode_page_header(header, encoded_header);
  to.append(encoded_header.bytes());
  to.append(compressed);
  meta_.total_uncompressed_size += static_cast<int64_t>(encoded_header.bytes().size() + content.size());
  meta_.total_compressed_size += static_cast<int64_t>(encoded_header.bytes().size() + compressed.size());
  count_page(type, encoding);
  workspace.keep_at_most(workspace_bytes(codec_, limits_));
  return {};
}

inline void ColumnChunkWriter::count_page(PageType type, Encoding encoding) {
  for (PageEncodingCount& count : meta_.encoding_stats)
    if (count.page_type == type && count.encoding == encoding) {
      ++count.count;
      return;
    }
  meta_.encoding_stats.push_back({type, encoding, 1});
}

inline void ColumnChunkWriter::update_statistics(std::string_view plain) {
  const std::string_view value = statistic_bytes(layout_, plain);
  if (layout_.order == SortOrder::floating && std::isnan(s3dest::load_little_endian<double>(value))) return;
  const std::string_view kept = value.substr(0, kMaxStatisticBytes + 1);
  if (!has_min_max_) {
    min_.assign(kept);
    max_.assign(kept);
    has_min_max_ = true;
    return;
  }
  if (statistic_less(layout_.order, layout_.physical, value, min_)) min_.assign(kept);
  else if (statistic_less(layout_.order, layout_.physical, max_, value)) max_.assign(kept);
}

inline void ColumnChunkWriter::update_page_statistics() {
  switch (layout_.physical) {
    case PhysicalType::int32: widen_bounds<int32_t>(values_); break;
    case PhysicalType::int64: widen_bounds<int64_t>(values_); break;
    case PhysicalType::double_: widen_bounds<double>(values_); break;
    default: break;
  }
}

// The bounds widened to the PLAIN `values` (NaN left out, as update_statistics does).
template <typename Number>
void ColumnChunkWriter::widen_bounds(std::string_view values) {
  Number low{}, high{};
  bool any = has_min_max_;
  if (any) {
    low = s3dest::load_little_endian<Number>(min_);
    high = s3dest::load_little_endian<Number>(max_);
  }
  for (size_t at = 0; at + sizeof(Number) <= values.size(); at += sizeof(Number)) {
    const auto value = s3dest::load_little_endian<Number>(values.substr(at));
    if constexpr (std::is_floating_point<Number>::value) {
      if (std::isnan(value)) continue;
    }
    if (!any) {
      low = high = value;
      any = true;
    } else if (value < low) {
      low = value;
    } else if (high < value) {
      high = value;
    }
  }
  if (!any) return;
  min_.clear();
  max_.clear();
  s3dest::append_little_endian(min_, low);
  s3dest::append_little_endian(max_, high);
  has_min_max_ = true;
}

inline void ColumnChunkWriter::put_pending_levels() {
  if (levels_pending_ == 0) return;
  levels_.put_repeated(1, levels_pending_);
  levels_pending_ = 0;
}

inline Statistics ColumnChunkWriter::statistics() const {
  Statistics s;
  s.null_count = meta_.statistics.null_count;
  if (!has_min_max_ || min_.size() > kMaxStatisticBytes || max_.size() > kMaxStatisticBytes) return s;
  s.min = min_;
  s.max = max_;
  if (layout_.order == SortOrder::floating) {
    // A zero bound is written as -0.0 for min and +0.0 for max (parquet.thrift's rule
    // for floating point statistics), since either zero may be in the chunk.
    std::string zero;
    if (s3dest::load_little_endian<double>(*s.min) == 0) {
      s3dest::append_little_endian(zero, -0.0);
      s.min = zero;
    }
    if (s3dest::load_little_endian<double>(*s.max) == 0) {
      zero.clear();
      s3dest::append_little_endian(zero, 0.0);
      s.max = zero;
    }
  }
  return s;
}

}  // namespace s3dest::parquet
