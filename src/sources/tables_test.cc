#include "sources/tables.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

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
