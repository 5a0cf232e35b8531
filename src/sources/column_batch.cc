#include "sources/column_batch.h"

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

ColumnBatch::ColumnBatch(const TableSpec& spec) : spec_(&spec) {
  columns_.resize(spec.columns.size());
  for (std::size_t i = 0; i < spec.columns.size(); ++i) columns_[i].type = spec.columns[i].type;
}

void ColumnBatch::AddRow() {
  for (auto& c : columns_) {
    c.valid.push_back(0);
    switch (c.type) {
      case ColumnType::kText:
      case ColumnType::kBlob: c.texts.emplace_back(); break;
      case ColumnType::kDouble: c.doubles.push_back(0); break;
      default: c.ints.push_back(0); break;
    }
  }
  key_hashes_.push_back(0);
  ++rows_;
}

void ColumnBatch::Reserve(std::size_t rows) {
  for (auto& c : columns_) {
    c.valid.reserve(rows);
    switch (c.type) {
      case ColumnType::kText:
      case ColumnType::kBlob: c.texts.reserve(rows); break;
      case ColumnType::kDouble: c.doubles.reserve(rows); break;
      default: c.ints.reserve(rows); break;
    }
  }
  key_hashes_.reserve(rows);
}

void ColumnBatch::RemoveLastRow() {
  if (rows_ == 0) return;
  for (auto& c : columns_) {
    c.valid.pop_back();
    switch (c.type) {
      case ColumnType::kText:
      case ColumnType::kBlob: c.texts.pop_back(); break;
      case ColumnType::kDouble: c.doubles.pop_back(); break;
      default: c.ints.pop_back(); break;
    }
  }
  key_hashes_.pop_back();
  --rows_;
}

void ColumnBatch::Clear() {
  for (auto& c : columns_) {
    c.valid.clear();
    c.ints.clear();
    c.doubles.clear();
    c.texts.clear();
  }
  key_hashes_.clear();
  rows_ = 0;
  arena_.Clear();
}

void ColumnBatch::SetText(int column, std::string_view value) {
  if (value.data() == nullptr) return;
  auto& c = columns_[column];
  c.texts.back() = arena_.Store(value);
  c.valid.back() = 1;
}

void ColumnBatch::SetTextRef(int column, std::string_view value) {
  if (value.data() == nullptr) return;
  auto& c = columns_[column];
  c.texts.back() = value;
  c.valid.back() = 1;
}

void ColumnBatch::SetInt(int column, std::int64_t value) {
  auto& c = columns_[column];
  c.ints.back() = value;
  c.valid.back() = 1;
}

void ColumnBatch::SetDouble(int column, double value) {
  auto& c = columns_[column];
  c.doubles.back() = value;
  c.valid.back() = 1;
}

void ColumnBatch::SetBool(int column, bool value) { SetInt(column, value ? 1 : 0); }

void ColumnBatch::AddToInts(int column, std::int64_t delta) {
  auto& c = columns_[column];
  for (std::size_t r = 0; r < rows_; ++r) {
    if (c.valid[r]) c.ints[r] += delta;
  }
}

void ColumnBatch::SetKey(std::string_view key) {
  SetText(spec_->key, key);
  key_hashes_.back() = lake::Hash64(key);
}

}  // namespace playlake::sources
