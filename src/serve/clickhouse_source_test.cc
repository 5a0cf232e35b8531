// Request values as ClickHouse literals, and ClickHouse's answers as the
// DuckDB path's JSON (the whole path runs in publish/serve_clickhouse_test.cc).
#include "serve/clickhouse_source.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

TEST(ClickHouseSql, ValuesBecomeTypedEscapedLiterals) {
  const Condition query{"select 1 from t where d >= ?::DATE and user_id = ? and c = ?",
                        {"2026-01-05", "o'brien\\' or 1=1 --", std::nullopt}};
  auto sql = ClickHouseSql(query);
  ASSERT_TRUE(sql) << sql.error().message;
  EXPECT_EQ(*sql,
            "select 1 from t where d >= toDate('2026-01-05') and user_id = 'o\\'brien\\\\\\' or "
            "1=1 --' and c = NULL");
}

TEST(ClickHouseSql, ADateThatIsNotADateOrAMissingValueIsAnError) {
  auto bad = ClickHouseSql({"d >= ?::DATE", {"2026-01-05') or (1=1"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("YYYY-MM-DD"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(ClickHouseSql({"a = ? and b = ?", {"x"}}));
  EXPECT_FALSE(ClickHouseSql({"a = 1", {"x"}}));
}

TEST(ClickHouseRows, ConvertsByTheTypesClickHouseNames) {
  const std::string answer = R"json({
    "meta": [{"name": "plays", "type": "Int64"}, {"name": "users", "type": "Nullable(UInt64)"},
             {"name": "hours", "type": "Float64"}, {"name": "share", "type": "Nullable(Float64)"},
             {"name": "day", "type": "Date"}, {"name": "name", "type": "Nullable(String)"},
             {"name": "new", "type": "Nullable(Enum8('false' = 0, 'true' = 1))"}],
    "data": [["9007199254740993", "3", 12, null, "2026-01-05", "a\"b", "true"],
             ["-1", null, 0.1, 2.5, "1970-01-01", null, "false"]],
    "rows": 2})json";
  auto rows = ClickHouseRows(answer);
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->dump(),
            R"([{"day":"2026-01-05","hours":12.0,"name":"a\"b","new":true,"plays":9007199254740993,)"
            R"("share":null,"users":3},{"day":"1970-01-01","hours":0.1,"name":null,"new":false,)"
            R"("plays":-1,"share":2.5,"users":null}])");
  auto broken = ClickHouseRows("Code: 62, e.displayText() = DB::Exception: Syntax error");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("not JSONCompact"), std::string::npos);
}

}  // namespace
}  // namespace playlake::serve
