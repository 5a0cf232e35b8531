#include "sources/column_batch.h"

#include <algorithm>
#include <cstring>

#include "common/hash.h"

namespace playlake::sources {

ColumnBatch::ColumnBatch(const TableSpec& spec) : spec_(&spec), width_(spec.columns.size()) {
  columns_.resize(width_);
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    columns_[i].type = spec.columns[i].type;
    switch (columns_[i].type) {
      case ColumnType::kText:
      case ColumnType::kBlob: text_columns_.push_back(static_cast<int>(i)); break;
      case ColumnType::kDouble: double_columns_.push_back(static_cast<int>(i)); break;
      default: int_columns_.push_back(static_cast<int>(i)); break;
    }
  }
}

void ColumnBatch::Grow(std::size_t capacity) {
  for (int c : text_columns_) columns_[c].texts.resize(capacity);
  for (int c : int_columns_) columns_[c].ints.resize(capacity);
  for (int c : double_columns_) columns_[c].doubles.resize(capacity);
  valid_.resize(capacity * width_);
  key_hashes_.resize(capacity);
  capacity_ = capacity;
}

void ColumnBatch::AddRow() {
  // Grow by a quarter: batches are reserved close to their final size.
  if (rows_ == capacity_) Grow(std::max<std::size_t>(1024, capacity_ + capacity_ / 4));
  const std::size_t r = rows_;
  std::memset(valid_.data() + r * width_, 0, width_);
  for (int c : text_columns_) columns_[c].texts[r] = {};
  for (int c : int_columns_) columns_[c].ints[r] = 0;
  for (int c : double_columns_) columns_[c].doubles[r] = 0;
  key_hashes_[r] = 0;
  ++rows_;
}

void ColumnBatch::Reserve(std::size_t rows) {
  if (rows > capacity_) Grow(rows);
}

void ColumnBatch::RemoveLastRow() {
  if (rows_ > 0) --rows_;
}

void ColumnBatch::Clear() {
  rows_ = 0;
  bytes_.clear();  // keeps the capacity for the next rows
  external_.clear();
  oversized_.clear();
}

ColumnBatch::TextRef ColumnBatch::External(std::string_view value) {
  // SetTextRef passes the same few values (lineage) for every row: look at
  // the last ones before adding.
  const std::size_t n = external_.size();
  for (std::size_t i = n; i > 0 && i + 4 > n; --i) {
    const std::string_view known = external_[i - 1];
    if (known.data() == value.data() && known.size() == value.size()) {
      return TextRef{kExternal, static_cast<std::uint32_t>(i - 1)};
    }
  }
  external_.push_back(value);
  return TextRef{kExternal, static_cast<std::uint32_t>(n)};
}

void ColumnBatch::SetText(int column, std::string_view value) {
  if (value.data() == nullptr) return;
  TextRef ref;
  if (value.size() < kExternal - bytes_.size()) {
    ref = TextRef{static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint32_t>(value.size())};
    bytes_.insert(bytes_.end(), value.begin(), value.end());
  } else {
    // Past 4 GB of text in one batch: the value gets its own allocation.
    auto copy = std::make_unique<char[]>(value.size());
    std::memcpy(copy.get(), value.data(), value.size());
    ref = External(std::string_view(copy.get(), value.size()));
    oversized_.push_back(std::move(copy));
  }
  columns_[column].texts[rows_ - 1] = ref;
  Valid(column) = 1;
}

void ColumnBatch::SetTextRef(int column, std::string_view value) {
  if (value.data() == nullptr) return;
  columns_[column].texts[rows_ - 1] = External(value);
  Valid(column) = 1;
}

void ColumnBatch::SetInt(int column, std::int64_t value) {
  columns_[column].ints[rows_ - 1] = value;
  Valid(column) = 1;
}

void ColumnBatch::SetDouble(int column, double value) {
  columns_[column].doubles[rows_ - 1] = value;
  Valid(column) = 1;
}

void ColumnBatch::SetBool(int column, bool value) { SetInt(column, value ? 1 : 0); }

void ColumnBatch::AddToInts(int column, std::int64_t delta) {
  auto& c = columns_[column];
  for (std::size_t r = 0; r < rows_; ++r) {
    if (IsValid(column, r)) c.ints[r] += delta;
  }
}

void ColumnBatch::AppendRow(const ColumnBatch& from, std::size_t row) {
  AddRow();
  for (std::size_t c = 0; c < width_; ++c) {
    const int column = static_cast<int>(c);
    if (!from.IsValid(column, row)) continue;
    const Column& source = from.columns_[c];
    switch (source.type) {
      case ColumnType::kText:
      case ColumnType::kBlob: {
        const std::string_view value = from.Text(column, row);
        SetText(column, value.data() ? value : std::string_view("", 0));  // "" is not NULL
        break;
      }
      case ColumnType::kDouble: SetDouble(column, source.doubles[row]); break;
      default: SetInt(column, source.ints[row]); break;
    }
  }
  key_hashes_[rows_ - 1] = from.key_hashes_[row];
}

void ColumnBatch::SetKey(std::string_view key) {
  SetText(spec_->key, key);
  key_hashes_[rows_ - 1] = Hash64(key);
}

}  // namespace playlake::sources
