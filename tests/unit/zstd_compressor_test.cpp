// ZstdCompressor (format/zstd_compressor.hpp), read back with libzstd's own decoder: the
// streams are one frame with its checksum, a flush makes bytes_out() exact, and the size
// bound the file-size cap rests on holds for bytes that do not compress.
#define BOOST_TEST_MODULE zstd_compressor
#include <boost/test/unit_test.hpp>

#if S3DEST_HAVE_ZSTD

#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/format/avro_format.hpp"
#include "s3dest/format/compressed_writer.hpp"
#include "s3dest/format/parquet_format.hpp"
#include "s3dest/format/zstd_compressor.hpp"
#include "parquet_reader.hpp"
#include "test_bytes.hpp"

using namespace s3dest;

namespace {

using test_helpers::random_bytes;
using test_helpers::text_bytes;
using test_helpers::text_lines;

// libzstd's streaming decoder over `compressed`: what it decodes, and whether it ended
// exactly at the end of one complete frame (its checksum checked on the way).
struct Decoded {
  std::string data;
  bool one_whole_frame = false;
  std::string error;
};

Decoded decode(std::string_view compressed) {
  Decoded result;
  ZSTD_DCtx* context = ZSTD_createDCtx();
  std::string block(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t left = 1;
  while (in.pos < in.size || left != 0) {
    ZSTD_outBuffer out{block.data(), block.size(), 0};
    left = ZSTD_decompressStream(context, &out, &in);
    if (ZSTD_isError(left)) {
      result.error = ZSTD_getErrorName(left);
      break;
    }
    result.data.append(block.data(), out.pos);
    if (left == 0 && in.pos < in.size) {  // a frame ended before the bytes did
      result.error = "bytes after the frame";
      break;
    }
    if (out.pos == 0 && in.pos == in.size) break;  // a frame that never ends
  }
  result.one_whole_frame = result.error.empty() && left == 0;
  ZSTD_freeDCtx(context);
  return result;
}

// The frame header's descriptor byte says whether a content checksum ends the frame.
bool has_checksum(std::string_view frame) {
  return frame.size() > 4 && (static_cast<unsigned char>(frame[4]) & 0x04) != 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_stream_written_in_pieces_is_one_frame_with_its_checksum) {
  StringSink file;
  ZstdCompressor zstd;
  BOOST_REQUIRE(zstd.begin(file).ok());
  const std::string plain = text_lines(20000);
  for (size_t at = 0; at < plain.size(); at += 1000) BOOST_REQUIRE(zstd.write(plain.substr(at, 1000)).ok());
  BOOST_REQUIRE(zstd.finish().ok());
  BOOST_TEST(zstd.bytes_out() == file.size());
  BOOST_TEST(file.size() < plain.size() / 5);
  BOOST_TEST(ZSTD_findFrameCompressedSize(file.data().data(), file.size()) == file.size());  // one frame
  BOOST_TEST(has_checksum(file.data()));
  const Decoded back = decode(file.data());
  BOOST_TEST(back.one_whole_frame, back.error);
  BOOST_TEST(back.data == plain);

  // The checksum is checked: a changed byte in the last block is caught.
  std::string damaged = file.data();
  damaged[damaged.size() - 6] ^= 0x01;
  BOOST_TEST(decode(damaged).data != plain);
}

BOOST_AUTO_TEST_CASE(a_flush_makes_bytes_out_exact_and_everything_so_far_readable) {
  StringSink file;
  ZstdCompressor zstd(ZstdOptions{6, 0});
  BOOST_REQUIRE(zstd.begin(file).ok());
  const std::string first = text_lines(3000);
  BOOST_REQUIRE(zstd.write(first).ok());
  BOOST_REQUIRE(zstd.flush().ok());
  BOOST_TEST(zstd.bytes_out() == file.size());
  // Everything written so far decodes from what the sink holds (the frame goes on).
  BOOST_TEST(decode(file.data()).data == first);
  BOOST_REQUIRE(zstd.flush().ok());  // nothing new: nothing more
  BOOST_TEST(zstd.bytes_out() == file.size());
  BOOST_REQUIRE(zstd.write("last line\n").ok());
  BOOST_REQUIRE(zstd.finish().ok());
  BOOST_TEST(zstd.bytes_out() == file.size());
  BOOST_TEST(decode(file.data()).data == first + "last line\n");
}

BOOST_AUTO_TEST_CASE(the_bound_holds_for_bytes_that_do_not_compress_from_every_flush) {
  // Pieces around zstd's 128 KiB block and much smaller, each flushed, at a fast, the
  // default and a level that splits blocks (16 and up).
  for (const int level : {1, 3, 19}) {
    BOOST_TEST_CONTEXT("level " << level) {
      StringSink file;
      ZstdCompressor zstd(ZstdOptions{level, 0});
      BOOST_REQUIRE(zstd.begin(file).ok());
      std::string plain;
      uint64_t seed = 1;
      for (const size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{131071}, size_t{131072}, size_t{131073},
                             size_t{300000}, size_t{5}}) {
        const uint64_t before = zstd.bytes_out();
        const std::string piece = random_bytes(n, ++seed * 2654435761u);
        plain += piece;
        BOOST_REQUIRE(zstd.write(piece).ok());
        BOOST_REQUIRE(zstd.flush().ok());
        BOOST_TEST(zstd.bytes_out() == file.size());
        BOOST_TEST(zstd.bytes_out() - before <= zstd.max_compressed_size(n), "piece of " << n);
        // Bytes that do not compress come out a little longer, never shorter.
        if (n > 0) BOOST_TEST(zstd.bytes_out() - before >= n);
      }
      const uint64_t flushed = zstd.bytes_out();
      const std::string last = random_bytes(200000, 77);
      plain += last;
      BOOST_REQUIRE(zstd.write(last).ok());
      BOOST_REQUIRE(zstd.finish().ok());
      BOOST_TEST(file.size() <= flushed + zstd.max_compressed_size(last.size()) + zstd.frame_bytes());
      BOOST_TEST(decode(file.data()).data == plain);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_whole_stream_at_once_fits_the_bound_and_reads_back) {
  ZstdCompressor zstd;
  std::string out;
  for (const std::string& plain : {text_lines(3000), random_bytes(400000), std::string()}) {
    BOOST_REQUIRE(zstd.compress(plain, out).ok());  // a parquet ZSTD page, an avro zstandard block
    BOOST_TEST(out.size() <= zstd.max_compressed_size(plain.size()) + zstd.frame_bytes());
    BOOST_TEST(ZSTD_getFrameContentSize(out.data(), out.size()) == plain.size());
    const Decoded back = decode(out);
    BOOST_TEST(back.one_whole_frame, back.error);
    BOOST_TEST(back.data == plain);
  }
}

BOOST_AUTO_TEST_CASE(a_compressor_begun_again_makes_a_new_frame) {
  ZstdCompressor zstd(ZstdOptions{1, 0});
  StringSink first, second;
  BOOST_REQUIRE(zstd.begin(first).ok());
  BOOST_REQUIRE(zstd.write("abandoned").ok());  // never finished: dropped by the next begin
  BOOST_REQUIRE(zstd.begin(second).ok());
  BOOST_REQUIRE(zstd.write("kept").ok());
  BOOST_REQUIRE(zstd.finish().ok());
  BOOST_TEST(zstd.bytes_out() == second.size());
  BOOST_TEST(decode(second.data()).data == "kept");
  BOOST_TEST(!zstd.write("more").ok());  // a finished stream takes nothing more
}

BOOST_AUTO_TEST_CASE(a_compressor_with_workers_begun_again_mid_frame_makes_a_new_frame) {
  // As a kept compressor (CompressorStock) of a file that was dropped: its jobs still
  // running, or its input ended, when the next file begins on it.
  ZstdCompressor zstd(ZstdOptions{3, 2});
  for (const bool ended : {false, true}) {
    StringSink first, second;
    BOOST_REQUIRE(zstd.begin(first).ok());
    BOOST_REQUIRE(zstd.write(text_lines(100000)).ok());  // several jobs of 1 MiB
    if (ended) BOOST_REQUIRE(zstd.end_input(text_lines(10)).ok());
    BOOST_REQUIRE(zstd.begin(second).ok());
    BOOST_REQUIRE(zstd.write("kept").ok());
    BOOST_REQUIRE(zstd.finish().ok());
    const Decoded back = decode(second.data());
    BOOST_TEST(back.one_whole_frame, back.error);
    BOOST_TEST(back.data == "kept");
  }
}

BOOST_AUTO_TEST_CASE(a_compressed_writer_fills_a_file_to_its_cap_and_not_past_it) {
  // What csv+zstd does with max_file_size_mb: rows of random text until the bound says no,
  // on the loading thread and with two workers.
  for (const int workers : {0, 2})
  for (const uint64_t cap : {uint64_t{4096}, uint64_t{300000}, uint64_t{3} << 20}) {
    BOOST_TEST_CONTEXT("cap " << cap << ", workers " << workers) {
      StringSink file;
      CompressedWriter writer(file, zstd_files(ZstdOptions{3, workers}).make());
      std::string plain;
      uint64_t seed = 7;
      for (;;) {
        const std::string row = random_bytes(997, ++seed);
        auto fits = writer.fits(row.size(), cap);
        BOOST_REQUIRE(fits.ok());
        if (!*fits) break;
        BOOST_REQUIRE(writer.write(row).ok());
        plain += row;
      }
      BOOST_REQUIRE(writer.finish().ok());
      BOOST_TEST(file.size() <= cap);
      BOOST_TEST(file.size() + 1200 > cap);  // filled: the next row at its worst (1,068 + 39) would not fit
      BOOST_TEST(decode(file.data()).data == plain);
    }
  }
}

namespace {

// Rows of one string column that hardly compresses, written as files of `format` of at
// most `cap` bytes each (a new file when one is full, as ChunkWriter does).
std::vector<std::string> capped_files(const RowFormat& format, size_t rows, uint64_t cap) {
  std::vector<std::string> files;
  std::unique_ptr<FileEncoder> encoder;
  StringSink sink;
  for (size_t i = 0; i < rows; ++i) {
    const std::string text = random_bytes(300, 1 + i);
    std::string record;
    format.encode_record(Row{Value::of_bytes(text)}, record);
    for (int attempt = 0;; ++attempt) {
      BOOST_REQUIRE_LT(attempt, 2);
      if (!encoder) {
        encoder = format.new_file();
        BOOST_REQUIRE(encoder->begin(sink, cap).ok());
      }
      auto added = encoder->try_add(record);
      BOOST_REQUIRE_MESSAGE(added.ok(), added.status().message());
      if (*added) break;
      BOOST_REQUIRE(encoder->finish().ok());
      files.push_back(sink.take());
      encoder.reset();
    }
  }
  BOOST_REQUIRE(encoder->finish().ok());
  files.push_back(sink.take());
  return files;
}

}  // namespace

BOOST_AUTO_TEST_CASE(parquet_zstd_pages_and_avro_zstandard_blocks_keep_files_under_the_cap) {
  Schema schema;
  schema.columns = {{"blob", {TypeId::binary}, false}};
  const uint64_t cap = 100 * 1024;
  const size_t rows = 2000;  // 600 KB of bytes that do not compress: several files

  ParquetOptions parquet_options;
  parquet_options.compression = ParquetOptions::Compression::zstd;
  auto parquet = ParquetFormat::create(schema, parquet_options);
  BOOST_REQUIRE_MESSAGE(parquet.ok(), parquet.status().message());
  size_t parquet_rows = 0;
  const auto parquet_files = capped_files(**parquet, rows, cap);
  BOOST_TEST(parquet_files.size() > 4);
  for (const std::string& file : parquet_files) {
    BOOST_TEST(file.size() <= cap);
    // The test reader checks each page is one whole zstd frame of the size its header says.
    const auto read = parquet_test::read_parquet(file);
    parquet_rows += read.columns.at(0).size();
  }
  BOOST_TEST(parquet_rows == rows);

  AvroOptions avro_options;
  avro_options.codec = AvroOptions::Codec::zstandard;
  auto avro = AvroFormat::create(schema, avro_options);
  BOOST_REQUIRE_MESSAGE(avro.ok(), avro.status().message());
  const auto avro_files = capped_files(**avro, rows, cap);
  BOOST_TEST(avro_files.size() > 4);
  for (const std::string& file : avro_files) {
    BOOST_TEST(file.size() <= cap);
    BOOST_TEST(file.find("zstandard") != std::string::npos);  // avro.codec, as the specification names it
  }
}

BOOST_AUTO_TEST_CASE(libzstd_worker_threads_keep_the_frame_and_the_bound) {
  StringSink file;
  ZstdCompressor zstd(ZstdOptions{3, 2});
  BOOST_REQUIRE(zstd.begin(file).ok());
  std::string plain;
  for (int round = 0; round < 4; ++round) {
    const uint64_t before = zstd.bytes_out();
    const std::string piece = random_bytes(3 << 20, 1000 + round) + text_lines(20000);
    plain += piece;
    BOOST_REQUIRE(zstd.write(piece).ok());
    BOOST_REQUIRE(zstd.flush().ok());
    BOOST_TEST(zstd.bytes_out() == file.size());
    BOOST_TEST(zstd.bytes_out() - before <= zstd.max_compressed_size(piece.size()));
  }
  BOOST_REQUIRE(zstd.finish().ok());
  const Decoded back = decode(file.data());
  BOOST_TEST(back.one_whole_frame, back.error);
  BOOST_TEST(back.data == plain);
}

BOOST_AUTO_TEST_CASE(files_sharing_workers_are_each_one_frame_of_their_own_rows) {
  // Three csv+zstd files open at once, as partitions of a load are: each written in
  // turn, one flushed now and then (near its cap), each on two workers.
  const CompressorFactory files = zstd_files(ZstdOptions{3, 2});
  StringSink sinks[3];
  std::string plain[3];
  std::unique_ptr<Compressor> streams[3];
  for (int i = 0; i < 3; ++i) {
    streams[i] = files.make();
    BOOST_REQUIRE(streams[i]->begin(sinks[i]).ok());
  }
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 3; ++i) {
      const std::string piece = round % 3 == i ? random_bytes(700000, 31 * round + i) : text_lines(9000 + 1000 * i);
      plain[i] += piece;
      BOOST_REQUIRE(streams[i]->write(piece).ok());
      if (round % 4 == i) {
        BOOST_REQUIRE(streams[i]->flush().ok());
        BOOST_TEST(streams[i]->bytes_out() == sinks[i].size());
      }
    }
  }
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST_CONTEXT("file " << i) {
      BOOST_REQUIRE(streams[i]->finish().ok());
      BOOST_TEST(streams[i]->bytes_out() == sinks[i].size());
      BOOST_TEST(ZSTD_findFrameCompressedSize(sinks[i].data().data(), sinks[i].size()) == sinks[i].size());
      BOOST_TEST(has_checksum(sinks[i].data()));
      const Decoded back = decode(sinks[i].data());
      BOOST_TEST(back.one_whole_frame, back.error);
      BOOST_TEST(back.data == plain[i]);
    }
  }
}

BOOST_AUTO_TEST_CASE(streams_whose_input_ended_finish_later_each_one_frame) {
  // As a load's last partitions are written: each file's last bytes go to end_input, the
  // next file is fed while its job runs, and the files are finished oldest first. With
  // and without workers; last pieces of none, one byte, under a job and over two jobs.
  const size_t last_sizes[] = {0, 1, 70000, 2 * ZstdCompressor::kJobBytes + 12345};
  for (const int workers : {0, 2}) {
    BOOST_TEST_CONTEXT(workers << " workers") {
      const CompressorFactory files = zstd_files(ZstdOptions{3, workers});
      StringSink sinks[4];
      std::string plain[4];
      std::unique_ptr<Compressor> streams[4];
      for (int i = 0; i < 4; ++i) {
        streams[i] = files.make();
        BOOST_REQUIRE(streams[i]->begin(sinks[i]).ok());
        const std::string head = text_lines(3000 + 500 * i);
        const size_t n = last_sizes[i];
        const std::string last = random_bytes(n / 2, 7 + i) + text_bytes(n - n / 2);
        plain[i] = head + last;
        BOOST_REQUIRE(streams[i]->write(head).ok());
        BOOST_REQUIRE(streams[i]->end_input(last).ok());
        BOOST_TEST(!streams[i]->write("more").ok());  // the input has ended
      }
      for (int i = 0; i < 4; ++i) {
        BOOST_TEST_CONTEXT("file " << i) {
          BOOST_REQUIRE(streams[i]->finish().ok());
          BOOST_TEST(streams[i]->bytes_out() == sinks[i].size());
          const Decoded back = decode(sinks[i].data());
          BOOST_TEST(back.one_whole_frame, back.error);
          BOOST_TEST(back.data == plain[i]);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_stream_holds_no_more_than_its_stream_memory) {
  // The load's budget counts stream_memory for every open file: libzstd's own count of
  // what a stream holds stays within it, with and without workers, at a fast, the
  // default and a high level, through 24 MiB of text and random bytes with flushes.
  for (const int level : {1, 3, 12})
  for (const int workers : {0, 2, 3}) {
    BOOST_TEST_CONTEXT("level " << level << ", workers " << workers) {
      ZstdCompressor zstd(ZstdOptions{level, workers});
      StringSink file;
      BOOST_REQUIRE(zstd.begin(file).ok());
      const uint64_t bound = ZstdCompressor::stream_memory(ZstdOptions{level, workers});
      uint64_t most = 0;
      for (int piece = 0; piece < 48; ++piece) {
        BOOST_REQUIRE(zstd.write(piece % 2 ? random_bytes(256 * 1024, piece) : text_lines(4500)).ok());
        if (piece % 10 == 9) BOOST_REQUIRE(zstd.flush().ok());
        most = std::max(most, zstd.memory());
      }
      BOOST_REQUIRE(zstd.finish().ok());
      most = std::max(most, zstd.memory());
      BOOST_TEST(most <= bound);
      BOOST_TEST(most * 3 > bound);  // and not far off (workers' output buffers are rarely all in use)
    }
  }
}

BOOST_AUTO_TEST_CASE(a_stream_memory_grows_with_the_level) {
  const uint64_t fast = ZstdCompressor::stream_memory(ZstdOptions{1, 0});
  const uint64_t usual = ZstdCompressor::stream_memory(ZstdOptions{3, 0});
  const uint64_t small = ZstdCompressor::stream_memory(ZstdOptions{19, 0});
  BOOST_TEST(fast > uint64_t{1} << 20);  // the window and tables: more than a MiB already
  BOOST_TEST(fast < usual);
  BOOST_TEST(usual < small);
}

#else  // built without libzstd: the header declares nothing, and says so by its macro

BOOST_AUTO_TEST_CASE(built_without_libzstd) { BOOST_TEST_MESSAGE("S3DEST_HAVE_ZSTD is off: nothing to test"); }

#endif
