// ColumnBatch: typed rows of one silver table, stored column by column.
//
// The parsers fill batches on worker threads with no allocation per row
// (values go to per-column vectors, text bytes to one buffer per batch);
// silver hands whole batches to the engine. A batch describes itself with a
// TableSpec.
//
// Thread safety: none; one batch per thread. Text views stay valid until the
// batch is changed (a SetText may move the text buffer), cleared or destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace playlake::sources {

enum class ColumnType {
  kText,       // VARCHAR, valid UTF-8
  kBlob,       // BLOB (quarantine raw bytes)
  kInt64,      // BIGINT
  kDouble,     // DOUBLE
  kBool,       // BOOLEAN
  kTimestamp,  // TIMESTAMP WITH TIME ZONE, stored as UTC µs
  kDate,       // DATE, stored as days since 1970-01-01
};

struct ColumnSpec {
  std::string_view name;
  ColumnType type;
  std::string_view doc;  // one line for docs/silver.md
};

struct TableSpec {
  std::string_view name;
  std::span<const ColumnSpec> columns;
  int key = 0;         // column whose value is unique in the table (dedupe key)
  int partition = -1;  // DATE column used for event_date=... folders, or -1
  std::string_view doc;
};

class ColumnBatch {
 public:
  explicit ColumnBatch(const TableSpec& spec);
  ColumnBatch(ColumnBatch&&) = default;
  ColumnBatch& operator=(ColumnBatch&&) = default;

  const TableSpec& spec() const { return *spec_; }
  std::size_t rows() const { return rows_; }

  // Appends a row of NULLs; the setters below fill the last row.
  void AddRow();
  void RemoveLastRow();
  // Reserves room for `rows` rows (avoids regrowing batches of a known size).
  void Reserve(std::size_t rows);
  // Removes every row; keeps the memory for the next rows.
  void Clear();

  // Copies `value` into the batch. A null data() pointer means NULL.
  void SetText(int column, std::string_view value);
  // Like SetText without the copy (values that are the same for every row,
  // such as lineage). REQUIRES: the bytes of `value` outlive the batch.
  void SetTextRef(int column, std::string_view value);
  void SetInt(int column, std::int64_t value);
  void SetDouble(int column, double value);
  void SetBool(int column, bool value);
  // Sets the key column and remembers the 64-bit hash used for dedupe.
  void SetKey(std::string_view key);
  // Adds `delta` to every non-NULL value of an integer column (line fix-ups).
  void AddToInts(int column, std::int64_t delta);
  // Appends a copy of `from`'s row `row`, with its key hash.
  // REQUIRES: `from` is a batch of the same spec.
  void AppendRow(const ColumnBatch& from, std::size_t row);

  bool IsValid(int column, std::size_t row) const {
    return valid_[row * width_ + static_cast<std::size_t>(column)] != 0;
  }
  std::string_view Text(int column, std::size_t row) const {
    const TextRef ref = columns_[column].texts[row];
    if (ref.offset == kExternal) return external_[ref.length];
    return std::string_view(bytes_.data() + ref.offset, ref.length);
  }
  std::int64_t Int(int column, std::size_t row) const { return columns_[column].ints[row]; }
  double Double(int column, std::size_t row) const { return columns_[column].doubles[row]; }
  std::uint64_t KeyHash(std::size_t row) const { return key_hashes_[row]; }

 private:
  // Where a text value is: `length` bytes at `offset` in bytes_; or, when
  // offset is kExternal, external_[length] (SetTextRef values, and values
  // past 4 GB of text). 8 bytes per value instead of a 16-byte string_view.
  struct TextRef {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  static constexpr std::uint32_t kExternal = 0xFFFFFFFFu;
  TextRef External(std::string_view value);

  // Value vectors are sized to `capacity_` rows (not to rows_), so AddRow is
  // a few stores rather than a push_back per column; validity is one byte
  // per column, row after row, so a new row's NULLs are one memset.
  struct Column {
    ColumnType type;
    std::vector<std::int64_t> ints;         // int64, bool, timestamp, date
    std::vector<double> doubles;            // double
    std::vector<TextRef> texts;             // text, blob
  };
  void Grow(std::size_t capacity);
  std::uint8_t& Valid(int column) {
    return valid_[(rows_ - 1) * width_ + static_cast<std::size_t>(column)];
  }

  const TableSpec* spec_;
  std::vector<Column> columns_;
  std::size_t width_ = 0;  // columns_.size()
  std::vector<int> text_columns_, int_columns_, double_columns_;
  std::vector<std::uint8_t> valid_;  // [row * columns + column]
  std::vector<std::uint64_t> key_hashes_;
  std::size_t rows_ = 0;
  std::size_t capacity_ = 0;
  std::vector<char> bytes_;              // text values, one after the other
  std::vector<std::string_view> external_;  // SetTextRef values and oversized ones
  std::vector<std::unique_ptr<char[]>> oversized_;  // owned by external_ entries
};

}  // namespace playlake::sources
