#include "sources/column_batch.h"

#include <algorithm>
#include <cstring>

#include "lake/checksum.h"

namespace playlake::sources {

std::string_view Arena::Store(std::string_view text) {
  if (text.data() == nullptr) return {};
  if (text.size() > kBlock / 4) {
    // Large values get their own block, so small ones keep filling the current one.
    auto block = std::make_unique<char[]>(text.size());
    std::memcpy(block.get(), text.data(), text.size());
    std::string_view stored(block.get(), text.size());
    large_.push_back(std::move(block));
    used_total_ += text.size();
    return stored;
  }
  if (blocks_in_use_ == 0 || used_ + text.size() > kBlock) {
    if (blocks_in_use_ == blocks_.size()) blocks_.push_back(std::make_unique<char[]>(kBlock));
    ++blocks_in_use_;
    used_ = 0;
  }
  char* dest = blocks_[blocks_in_use_ - 1].get() + used_;
  if (!text.empty()) std::memcpy(dest, text.data(), text.size());
  used_ += text.size();
  used_total_ += text.size();
  return std::string_view(dest, text.size());
}

void Arena::Clear() {
  large_.clear();
  blocks_in_use_ = 0;
  used_ = 0;
  used_total_ = 0;
}

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
  if (rows_ == capacity_) Grow(std::max<std::size_t>(1024, capacity_ * 2));
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
  arena_.Clear();
}

void ColumnBatch::SetText(int column, std::string_view value) {
  if (value.data() == nullptr) return;
  columns_[column].texts[rows_ - 1] = arena_.Store(value);
  Valid(column) = 1;
}

void ColumnBatch::SetTextRef(int column, std::string_view value) {
  if (value.data() == nullptr) return;
  columns_[column].texts[rows_ - 1] = value;
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

void ColumnBatch::SetKey(std::string_view key) {
  SetText(spec_->key, key);
  key_hashes_[rows_ - 1] = lake::Hash64(key);
}

}  // namespace playlake::sources
