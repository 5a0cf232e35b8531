#include "sources/tables.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sources/column_batch.h"

namespace playlake::sources {
namespace {

TEST(Tables, DocsListEveryColumnOfEveryTable) {
  std::ifstream in(std::string(PLAYLAKE_DOCS_DIR) + "/silver.md");
  ASSERT_TRUE(in) << "docs/silver.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const TableSpec* spec : AllTables()) {
    const std::string heading = "### " + std::string(spec->name) + "\n";
    const auto start = doc.find(heading);
    ASSERT_NE(start, std::string::npos) << spec->name;
    const auto end = doc.find("\n### ", start + heading.size());
    const std::string section = doc.substr(start, end - start);
    for (const ColumnSpec& c : spec->columns) {
      EXPECT_NE(section.find("| `" + std::string(c.name) + "` |"), std::string::npos)
          << spec->name << "." << c.name << " is not documented in docs/silver.md";
    }
  }
}

TEST(ColumnBatch, AppendRowCopiesEveryValueItsNullsAndItsKeyHash) {
  const TableSpec& spec = SpecOf(Table::kPlays);
  ColumnBatch from(spec);
  from.AddRow();  // a value in every column; empty text in some
  for (int c = 0; c < static_cast<int>(spec.columns.size()); ++c) {
    switch (spec.columns[c].type) {
      case ColumnType::kText:
      case ColumnType::kBlob:
        if (c == spec.key) {
          from.SetKey("play-1");
        } else {
          from.SetText(c, c % 2 ? std::string_view("", 0) : "text " + std::to_string(c));
        }
        break;
      case ColumnType::kDouble: from.SetDouble(c, 1.5 + c); break;
      case ColumnType::kBool: from.SetBool(c, true); break;
      default: from.SetInt(c, 1000 + c); break;
    }
  }
  from.AddRow();  // NULLs
  ColumnBatch to(spec);
  to.AppendRow(from, 1);
  to.AppendRow(from, 0);
  ASSERT_EQ(to.rows(), 2u);
  for (int c = 0; c < static_cast<int>(spec.columns.size()); ++c) {
    SCOPED_TRACE(std::string(spec.columns[c].name));
    EXPECT_FALSE(to.IsValid(c, 0));
    ASSERT_TRUE(to.IsValid(c, 1));
    switch (spec.columns[c].type) {
      case ColumnType::kText:
      case ColumnType::kBlob: EXPECT_EQ(to.Text(c, 1), from.Text(c, 0)); break;
      case ColumnType::kDouble: EXPECT_EQ(to.Double(c, 1), from.Double(c, 0)); break;
      default: EXPECT_EQ(to.Int(c, 1), from.Int(c, 0)); break;
    }
  }
  EXPECT_EQ(to.KeyHash(1), from.KeyHash(0));
  EXPECT_NE(to.KeyHash(1), 0u);
}

TEST(Tables, KeysAndPartitionsAreWellFormed) {
  for (const TableSpec* spec : AllTables()) {
    EXPECT_EQ(spec->columns[spec->key].type, ColumnType::kText) << spec->name;
    if (spec->partition >= 0) {
      EXPECT_EQ(spec->columns[spec->partition].type, ColumnType::kDate) << spec->name;
    }
  }
}

}  // namespace
}  // namespace playlake::sources
