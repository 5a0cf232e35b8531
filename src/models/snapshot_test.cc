// SCD2 properties of snapshots, for both strategies, over several runs with
// changed and unchanged source data.
#include "models/snapshot.h"

#include <gtest/gtest.h>

#include "models/runner.h"
#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using models::testing::Files;

constexpr const char* kTimestampSnapshot =
    "{% snapshot users_snapshot %}\n"
    "{{ config(target_schema='snapshots', unique_key='id', strategy='timestamp', "
    "updated_at='updated_at') }}\n"
    "select * from {{ ref('users') }}\n"
    "{% endsnapshot %}\n";

constexpr const char* kCheckSnapshot =
    "{% snapshot users_check %}\n"
    "{{ config(target_schema='snapshots', unique_key='id', strategy='check', check_cols=['plan']) "
    "}}\n"
    "select id, plan, city from {{ ref('users') }}\n"
    "{% endsnapshot %}\n";

class Snapshots : public ::testing::Test {
 protected:
  void SetUp() override { db_ = testing::MemoryDb(); }

  // Writes the users seed, then runs `build` (seed + snapshot) at clock `now`.
  RunResults Run(const std::string& users_csv, const std::string& snapshot, const std::string& now,
                 bool invalidate_deletes = false) {
    std::string body = snapshot;
    if (invalidate_deletes) {
      body.replace(body.find("unique_key="), 0, "invalidate_hard_deletes=true, ");
    }
    auto project = testing::LoadFiles(
        dir_.path(), {{"seeds/users.csv", users_csv}, {"snapshots/users.sql", body}});
    EXPECT_TRUE(project) << project.error().message;
    if (!project) return {};
    RunnerOptions options;
    options.clock = [now] {
      std::tm tm{};
      strptime(now.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
      return std::chrono::system_clock::from_time_t(timegm(&tm));
    };
    Runner runner(*project, *db_, options);
    auto results = runner.Build({});
    EXPECT_TRUE(results) << results.error().message;
    for (const NodeResult& r : results->results) {
      EXPECT_TRUE(r.status == NodeStatus::kSuccess) << r.unique_id << ": " << r.message;
    }
    return *results;
  }

  std::string Q(const std::string& sql) { return testing::Scalar(*db_, sql); }

  // The SCD2 invariants: one current row per key, no overlapping periods,
  // each closed period ends where the key's next one starts, unique scd ids.
  void ExpectScd2(const std::string& table) {
    SCOPED_TRACE(table);
    EXPECT_EQ(Q("select count(*) from (select id from " + table +
                " group by id having count(*) filter (where dbt_valid_to is null) <> 1)"),
              "0");
    EXPECT_EQ(Q("select count(*) from " + table + " a join " + table +
                " b on a.id = b.id and a.dbt_scd_id <> b.dbt_scd_id "
                "and a.dbt_valid_from < coalesce(b.dbt_valid_to, 'infinity'::timestamp) "
                "and b.dbt_valid_from < coalesce(a.dbt_valid_to, 'infinity'::timestamp)"),
              "0");
    EXPECT_EQ(
        Q("select count(*) from (select dbt_valid_to, lead(dbt_valid_from) over "
          "(partition by id order by dbt_valid_from) as next_from from " +
          table + ") where dbt_valid_to is distinct from next_from and next_from is not null"),
        "0");
    EXPECT_EQ(Q("select count(*) - count(distinct dbt_scd_id) from " + table), "0");
    EXPECT_EQ(Q("select count(*) from " + table + " where dbt_valid_to <= dbt_valid_from"), "0");
  }

  playlake::testing::TempDir dir_;
  std::unique_ptr<warehouse::Database> db_;
};

TEST_F(Snapshots, TimestampStrategyKeepsHistory) {
  const std::string t = "snapshots.users_snapshot";
  Run("id,plan,updated_at\n1,free,2024-01-01\n2,free,2024-01-01\n", kTimestampSnapshot,
      "2024-02-01 00:00:00");
  EXPECT_EQ(Q("select count(*) from " + t), "2");
  EXPECT_EQ(Q("select count(*) from " + t + " where dbt_valid_to is null"), "2");
  EXPECT_EQ(Q("select dbt_valid_from::varchar from " + t + " where id = 1"), "2024-01-01 00:00:00");
  ExpectScd2(t);

  // Unchanged source: nothing new.
  RunResults same = Run("id,plan,updated_at\n1,free,2024-01-01\n2,free,2024-01-01\n",
                        kTimestampSnapshot, "2024-02-02 00:00:00");
  EXPECT_EQ(same.Find("snapshot.shop.users_snapshot")->rows_affected, 0);
  EXPECT_EQ(Q("select count(*) from " + t), "2");

  // User 1 upgrades, user 3 arrives.
  Run("id,plan,updated_at\n1,paid,2024-01-05\n2,free,2024-01-01\n3,free,2024-01-06\n",
      kTimestampSnapshot, "2024-02-03 00:00:00");
  EXPECT_EQ(Q("select count(*) from " + t), "4");
  EXPECT_EQ(Q("select dbt_valid_to::varchar from " + t + " where id = 1 and plan = 'free'"),
            "2024-01-05 00:00:00");
  EXPECT_EQ(Q("select plan from " + t + " where id = 1 and dbt_valid_to is null"), "paid");
  ExpectScd2(t);

  // User 1 again, and a re-run with the same data changes nothing.
  const std::string third =
      "id,plan,updated_at\n1,family,2024-01-09\n2,free,2024-01-01\n3,free,2024-01-06\n";
  Run(third, kTimestampSnapshot, "2024-02-04 00:00:00");
  Run(third, kTimestampSnapshot, "2024-02-05 00:00:00");
  EXPECT_EQ(Q("select count(*) from " + t + " where id = 1"), "3");
  EXPECT_EQ(Q("select count(*) from " + t), "5");
  ExpectScd2(t);
}

TEST_F(Snapshots, CheckStrategyUsesTheRunClock) {
  const std::string t = "snapshots.users_check";
  Run("id,plan,city\n1,free,Oslo\n2,free,Rome\n", kCheckSnapshot, "2024-03-01 10:00:00");
  EXPECT_EQ(Q("select min(dbt_valid_from)::varchar from " + t), "2024-03-01 10:00:00");
  // city is not a check column: no new version.
  Run("id,plan,city\n1,free,Bergen\n2,free,Rome\n", kCheckSnapshot, "2024-03-02 10:00:00");
  EXPECT_EQ(Q("select count(*) from " + t), "2");
  // plan changes for 2.
  Run("id,plan,city\n1,free,Bergen\n2,paid,Rome\n", kCheckSnapshot, "2024-03-03 10:00:00");
  EXPECT_EQ(Q("select count(*) from " + t), "3");
  EXPECT_EQ(Q("select dbt_valid_to::varchar from " + t + " where id = 2 and plan = 'free'"),
            "2024-03-03 10:00:00");
  EXPECT_EQ(Q("select dbt_valid_from::varchar from " + t + " where id = 2 and plan = 'paid'"),
            "2024-03-03 10:00:00");
  ExpectScd2(t);
  // Back to free: a third period, still no overlap.
  Run("id,plan,city\n1,free,Bergen\n2,free,Rome\n", kCheckSnapshot, "2024-03-04 10:00:00");
  EXPECT_EQ(Q("select count(*) from " + t + " where id = 2"), "3");
  ExpectScd2(t);
}

TEST_F(Snapshots, CheckStrategyNullToValueIsAChange) {
  const std::string t = "snapshots.users_check";
  Run("id,plan,city\n1,,Oslo\n", kCheckSnapshot, "2024-03-01 10:00:00");
  Run("id,plan,city\n1,paid,Oslo\n", kCheckSnapshot, "2024-03-02 10:00:00");
  EXPECT_EQ(Q("select count(*) from " + t), "2");
  ExpectScd2(t);
}

TEST_F(Snapshots, HardDeletesAreInvalidatedWhenAskedTo) {
  const std::string t = "snapshots.users_check";
  Run("id,plan,city\n1,free,Oslo\n2,free,Rome\n", kCheckSnapshot, "2024-03-01 10:00:00", true);
  Run("id,plan,city\n1,free,Oslo\n", kCheckSnapshot, "2024-03-02 10:00:00", true);
  EXPECT_EQ(Q("select dbt_valid_to::varchar from " + t + " where id = 2"), "2024-03-02 10:00:00");
  EXPECT_EQ(Q("select count(*) from " + t + " where dbt_valid_to is null"), "1");
}

TEST_F(Snapshots, DuplicateKeysInTheSourceAreRefused) {
  auto project = testing::LoadFiles(
      dir_.path(), {{"seeds/users.csv", "id,plan,city\n1,free,Oslo\n1,paid,Oslo\n"},
                    {"snapshots/users.sql", kCheckSnapshot}});
  ASSERT_TRUE(project) << project.error().message;
  Runner runner(*project, *db_, {});
  auto results = runner.Build({});
  ASSERT_TRUE(results);
  const NodeResult* snap = results->Find("snapshot.shop.users_check");
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->status, NodeStatus::kError);
  EXPECT_NE(snap->message.find("more than once"), std::string::npos) << snap->message;
}

}  // namespace
}  // namespace playlake::models
