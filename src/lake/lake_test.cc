#include "lake/lake.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "lake/bronze.h"
#include "lake/checksum.h"
#include "lake/zstd_stream.h"
#include "testing/testing.h"

namespace playlake::lake {
namespace {

using testing::TempDir;

std::chrono::system_clock::time_point At(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

ManifestEntry Entry(std::string batch, std::string table, std::string key) {
  ManifestEntry e;
  e.layer = "silver";
  e.batch_id = std::move(batch);
  e.source = "s";
  e.format = "playlake";
  e.entity = "plays";
  e.input_path = "/in/" + e.batch_id;
  e.files.push_back(DataFile{std::move(table), std::move(key), 10, 100});
  e.stats["records"] = 10;
  return e;
}

TEST(Lake, CommitIsIdempotentAndRoundTrips) {
  TempDir dir;
  std::int64_t now = 1'700'000'000;
  auto lake = Lake::OpenLocal(dir.path(), LakeOptions{[&] { return At(now++); }, nullptr});
  ASSERT_TRUE(lake);
  auto first = (*lake)->Commit(Entry("b1", "plays", "silver/plays/x.parquet"));
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto again = (*lake)->Commit(Entry("b1", "plays", "silver/plays/other.parquet"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto found = (*lake)->Find("silver", "b1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->files.at(0).key, "silver/plays/x.parquet");
  EXPECT_EQ((*found)->stats.at("records"), 10);
  EXPECT_EQ((*found)->committed_at_us, 1'700'000'000LL * 1'000'000);
  auto missing = (*lake)->Find("silver", "b2");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST(Lake, ReadersSeeOnlyCommittedFilesInCommitOrder) {
  TempDir dir;
  std::int64_t now = 100;
  auto lake = Lake::OpenLocal(dir.path(), LakeOptions{[&] { return At(now--); }, nullptr});
  ASSERT_TRUE(lake);
  ASSERT_TRUE((*lake)->Commit(Entry("z", "plays", "silver/plays/1.parquet")));
  ASSERT_TRUE((*lake)->Commit(Entry("a", "users", "silver/users/2.parquet")));
  // A file written but never committed (a crash before the manifest).
  auto orphan = (*lake)->storage().Create("silver/plays/orphan.parquet");
  ASSERT_TRUE(orphan);
  auto files = (*lake)->CommittedFiles("silver", "plays");
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->at(0).key, "silver/plays/1.parquet");
  auto entries = (*lake)->Entries("silver");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(entries->at(0).batch_id, "a");  // the clock runs backwards here: "a" came first
  auto ids = (*lake)->BatchIds("silver");
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "z"}));
  auto none = (*lake)->BatchIds("bronze");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

void Put(Storage& storage, const std::string& key, const std::string& bytes) {
  auto file = storage.Create(key);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_TRUE((*file)->Append(bytes));
  ASSERT_TRUE((*file)->Close());
}

TEST(Lake, RemoveLeftoversKeepsCommittedAndYoungFiles) {
  TempDir dir;
  auto now = std::chrono::system_clock::now();
  auto lake = Lake::OpenLocal(dir.path(), LakeOptions{[&] { return now; }, nullptr});
  ASSERT_TRUE(lake);
  Storage& storage = (*lake)->storage();
  Put(storage, "silver/plays/kept.parquet", "committed");
  ASSERT_TRUE((*lake)->Commit(Entry("b1", "plays", "silver/plays/kept.parquet")));
  // What a crashed or disk-full writer leaves: data files no manifest names,
  // a bronze file and a manifest's temporary.
  Put(storage, "silver/plays/event_date=2026-01-01/b2.0.0.0.parquet", "12345");
  Put(storage, "bronze/s/plays/ingest_date=2026-01-01/hour=00/b2.abc.jsonl.zst", "123");
  Put(storage, "_manifests/silver/.b2.json.tmp-0011", "{");

  // Younger than the grace period: a writer may still be at work on them.
  auto young = (*lake)->RemoveLeftovers(std::chrono::hours(1));
  ASSERT_TRUE(young) << young.error().message;
  EXPECT_EQ(young->removed, 0);
  EXPECT_EQ(young->kept, 3);

  now += std::chrono::hours(2);
  auto old = (*lake)->RemoveLeftovers(std::chrono::hours(1));
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->removed, 3);
  EXPECT_EQ(old->removed_bytes, 9u);
  auto all = storage.ListAll("");
  ASSERT_TRUE(all);
  std::vector<std::string> left;
  for (const auto& o : *all) left.push_back(o.key);
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left,
            (std::vector<std::string>{"_manifests/silver/b1.json", "silver/plays/kept.parquet"}));
}

// A compaction entry replaces files of earlier entries: readers see its
// files instead, leftovers ignore the replaced ones, and RemoveReplaced takes
// them once the compaction is older than the grace period.
TEST(Lake, ACompactionReplacesFilesForReadersAndRemoveReplacedTakesThemLater) {
  TempDir dir;
  auto now = std::chrono::system_clock::now();
  auto lake = Lake::OpenLocal(dir.path(), LakeOptions{[&] { return now; }, nullptr});
  ASSERT_TRUE(lake);
  Storage& storage = (*lake)->storage();
  for (const char* key : {"silver/plays/a.parquet", "silver/plays/b.parquet",
                          "silver/plays/ab.parquet", "silver/users/u.parquet"}) {
    Put(storage, key, "12345");
  }
  ASSERT_TRUE((*lake)->Commit(Entry("a", "plays", "silver/plays/a.parquet")));
  ASSERT_TRUE((*lake)->Commit(Entry("b", "plays", "silver/plays/b.parquet")));
  ASSERT_TRUE((*lake)->Commit(Entry("u", "users", "silver/users/u.parquet")));
  ManifestEntry compaction = Entry("c", "plays", "silver/plays/ab.parquet");
  compaction.version = kCompactionManifestVersion;
  compaction.replaces = {"silver/plays/a.parquet", "silver/plays/b.parquet"};
  ASSERT_TRUE((*lake)->Commit(compaction));

  auto found = (*lake)->Find("silver", "c");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->version, 2);
  EXPECT_EQ((*found)->replaces, compaction.replaces);
  auto plays = (*lake)->CommittedFiles("silver", "plays");
  ASSERT_TRUE(plays);
  ASSERT_EQ(plays->size(), 1u);
  EXPECT_EQ(plays->at(0).key, "silver/plays/ab.parquet");
  auto entries = (*lake)->Entries("silver");
  ASSERT_TRUE(entries);
  EXPECT_EQ(LiveFiles(*entries).size(), 2u);  // ab and u

  auto leftovers = (*lake)->RemoveLeftovers(std::chrono::seconds(0));
  ASSERT_TRUE(leftovers);
  EXPECT_EQ(leftovers->removed, 0);  // replaced files are not leftovers
  auto young = (*lake)->RemoveReplaced(std::chrono::hours(1));
  ASSERT_TRUE(young) << young.error().message;
  EXPECT_EQ(young->removed, 0);
  EXPECT_EQ(young->kept, 2);
  now += std::chrono::hours(2);
  auto old = (*lake)->RemoveReplaced(std::chrono::hours(1));
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->removed, 2);
  EXPECT_EQ(old->removed_bytes, 200u);  // as the manifests recorded them
  EXPECT_FALSE(*storage.Exists("silver/plays/a.parquet"));
  EXPECT_TRUE(*storage.Exists("silver/plays/ab.parquet"));
  EXPECT_TRUE(*storage.Exists("silver/users/u.parquet"));
  auto again = (*lake)->RemoveReplaced(std::chrono::hours(1));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->removed, 0);
}

// LiveFileSet reads only the manifests committed since its last Refresh and
// holds what LiveFiles of every entry gives, in the same order, also when a
// compaction replaces files it took in an earlier Refresh.
TEST(Lake, ALiveFileSetFollowsCommitsAndCompactionsAsLiveFilesDoes) {
  TempDir dir;
  std::int64_t now = 1'700'000'000;
  auto lake = Lake::OpenLocal(dir.path(), LakeOptions{[&] { return At(now++); }, nullptr});
  ASSERT_TRUE(lake);
  LiveFileSet live("silver");
  auto same_as_entries = [&] {
    auto entries = (*lake)->Entries("silver");
    ASSERT_TRUE(entries);
    std::vector<std::string> want, got;
    for (const auto& f : LiveFiles(*entries)) want.push_back(f.key);
    for (const auto& f : live.Files()) got.push_back(f.key);
    EXPECT_EQ(got, want);
  };
  ASSERT_TRUE(live.Refresh(**lake));
  EXPECT_TRUE(live.Files().empty());
  ASSERT_TRUE((*lake)->Commit(Entry("b", "plays", "silver/plays/b.parquet")));
  ASSERT_TRUE((*lake)->Commit(Entry("a", "plays", "silver/plays/a.parquet")));
  ASSERT_TRUE(live.Refresh(**lake));
  same_as_entries();
  EXPECT_TRUE(live.Contains("silver/plays/a.parquet"));

  ManifestEntry compaction = Entry("c", "plays", "silver/plays/ab.parquet");
  compaction.version = kCompactionManifestVersion;
  compaction.replaces = {"silver/plays/a.parquet", "silver/plays/b.parquet"};
  ASSERT_TRUE((*lake)->Commit(compaction));
  ASSERT_TRUE((*lake)->Commit(Entry("d", "plays", "silver/plays/d.parquet")));
  ASSERT_TRUE(live.Refresh(**lake));
  same_as_entries();
  EXPECT_FALSE(live.Contains("silver/plays/a.parquet"));
  ASSERT_EQ(live.Files().size(), 2u);
  EXPECT_EQ(live.Files().at(0).key, "silver/plays/ab.parquet");  // committed before d

  // A manifest it has read is not read again (Entries would fail on this one).
  std::ofstream(dir.path() / ManifestKey("silver", "b"), std::ios::trunc) << "not json";
  ASSERT_FALSE((*lake)->Entries("silver"));
  ASSERT_TRUE((*lake)->Commit(Entry("e", "plays", "silver/plays/e.parquet")));
  auto refreshed = live.Refresh(**lake);
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  EXPECT_TRUE(live.Contains("silver/plays/e.parquet"));
}

TEST(Manifest, AVersionNewerThanCompactionEntriesIsRefused) {
  ManifestEntry e = Entry("b", "plays", "silver/plays/x.parquet");
  e.version = kCompactionManifestVersion + 1;
  auto parsed = ManifestFromJson(ToJson(e), "b.json");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("upgrade playlake"), std::string::npos);
}

TEST(Manifest, AFileSchemaRoundTripsAndIsWrittenOnlyWhenKnown) {
  ManifestEntry e = Entry("b", "plays", "silver/plays/x.parquet");
  e.files.push_back(DataFile{"plays", "silver/plays/y.parquet", 5, 50, "0123456789abcdef"});
  const std::string json = ToJson(e);
  // Once: the file without a schema has no "schema" field.
  EXPECT_EQ(json.find("\"schema\""), json.rfind("\"schema\"")) << json;
  EXPECT_NE(json.find("\"schema\": \"0123456789abcdef\""), std::string::npos) << json;
  auto parsed = ManifestFromJson(json, "b.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->files.size(), 2u);
  EXPECT_EQ(parsed->files[0].schema, "");
  EXPECT_EQ(parsed->files[1].schema, "0123456789abcdef");
  EXPECT_EQ(parsed->files[1].rows, 5);
  EXPECT_EQ(ToJson(*parsed), json);
}

TEST(Manifest, AnEntryWrittenBeforeFileSchemasReadsWithoutThem) {
  const std::string old = R"({"version": 1, "layer": "silver", "batch_id": "b", "source": "s",
    "format": "playlake", "entity": "plays",
    "input": {"path": "/in/b", "size": 10, "checksum": "c"}, "committed_at_us": 1,
    "files": [{"table": "plays", "key": "silver/plays/x.parquet", "rows": 10, "bytes": 100}],
    "stats": {"records": 10}})";
  auto parsed = ManifestFromJson(old, "b.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->files.size(), 1u);
  EXPECT_EQ(parsed->files[0].key, "silver/plays/x.parquet");
  EXPECT_EQ(parsed->files[0].schema, "");
}

TEST(Manifest, EveryFieldRoundTripsAndAWrongTypeIsCorrupt) {
  ManifestEntry e = Entry("b", "plays", "silver/plays/x.parquet");
  e.version = kCompactionManifestVersion;
  e.input_size = 18'446'744'073'709'551'000ULL;
  e.input_checksum = "c0ffee";
  e.input_modified_ns = 1'796'616'081'974'096'861;
  e.user = "alice";
  e.committed_at_us = 1'796'645'514'645'757;
  e.files.push_back(DataFile{"plays", "silver/plays/y.parquet", 5, 50, "0123456789abcdef"});
  e.stats["quarantine.bad_json"] = 2;
  e.contract_version = 1;
  e.drift.unknown_fields["mood"] = Observed{4, {"happy", "sad"}};
  e.drift.unknown_values["device"] = Observed{1, {"fridge"}};
  e.drift.approximate_zones["US"] = Observed{7, {}};
  e.kafka = KafkaRange{"plays", 3, 100, 199, 101};
  e.replaces = {"silver/plays/a.parquet", "silver/plays/b.parquet"};
  const std::string json = ToJson(e);
  auto parsed = ManifestFromJson(json, "b.json");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(ToJson(*parsed), json);

  std::string wrong = json;
  wrong.replace(wrong.find("\"rows\": 10"), 12, "\"rows\": \"10\"");
  auto refused = ManifestFromJson(wrong, "b.json");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kData);
  EXPECT_NE(refused.error().message.find("b.json: corrupt manifest"), std::string::npos)
      << refused.error().message;
}

TEST(SchemaFingerprint, SameColumnsInAnyOrderAndTypeAliasesGiveTheSameId) {
  const FileColumns plays = {{"play_id", "VARCHAR"}, {"event_ts", "TIMESTAMP WITH TIME ZONE"},
                             {"ms_played", "BIGINT"}, {"genres", "VARCHAR[]"}};
  const std::string id = SchemaFingerprint(plays);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  EXPECT_EQ(SchemaFingerprint({{"genres", "VARCHAR[]"}, {"ms_played", "BIGINT"},
                               {"event_ts", "TIMESTAMPTZ"}, {"play_id", "VARCHAR"}}),
            id);
  // A column more, less, renamed, or of another type is another schema.
  FileColumns more = plays;
  more.emplace_back("user_id", "VARCHAR");
  EXPECT_NE(SchemaFingerprint(more), id);
  EXPECT_NE(SchemaFingerprint(FileColumns(plays.begin(), plays.end() - 1)), id);
  FileColumns renamed = plays;
  renamed[2].first = "ms";
  EXPECT_NE(SchemaFingerprint(renamed), id);
  FileColumns retyped = plays;
  retyped[2].second = "DOUBLE";
  EXPECT_NE(SchemaFingerprint(retyped), id);
  FileColumns listed = plays;
  listed[3].second = "VARCHAR";
  EXPECT_NE(SchemaFingerprint(listed), id);
  // Names and types are not run together: ("ab", "C") is not ("a", "bC").
  EXPECT_NE(SchemaFingerprint({{"ab", "C"}}), SchemaFingerprint({{"a", "bC"}}));
  EXPECT_NE(SchemaFingerprint({}), SchemaFingerprint({{"a", "VARCHAR"}}));
}

TEST(Lake, RemoveLeftoversRemovesNothingWhenAManifestIsCorrupt) {
  TempDir dir;
  auto lake = Lake::OpenLocal(dir.path(), {});
  ASSERT_TRUE(lake);
  Put((*lake)->storage(), "silver/plays/maybe.parquet", "x");
  ASSERT_TRUE((*lake)->storage().PublishIfAbsent("_manifests/silver/bad.json", "{not json"));
  auto left = (*lake)->RemoveLeftovers(std::chrono::seconds(0));
  ASSERT_FALSE(left);
  EXPECT_EQ(left.error().code, ErrorCode::kData);
  EXPECT_TRUE(*(*lake)->storage().Exists("silver/plays/maybe.parquet"));
}

TEST(Lake, CorruptManifestIsADataErrorNamingTheFile) {
  TempDir dir;
  auto lake = Lake::OpenLocal(dir.path(), {});
  ASSERT_TRUE(lake);
  ASSERT_TRUE((*lake)->storage().PublishIfAbsent("_manifests/silver/bad.json", "{not json"));
  auto entries = (*lake)->Entries("silver");
  ASSERT_FALSE(entries);
  EXPECT_EQ(entries.error().code, ErrorCode::kData);
  EXPECT_NE(entries.error().message.find("bad.json"), std::string::npos);
}

// The snapshots of the silver commit log in `lake`.
std::vector<std::string> Snapshots(Lake& lake) {
  auto keys = lake.storage().List("_manifests/_snapshots");
  return keys ? *keys : std::vector<std::string>{};
}

std::vector<std::string> AsJson(const std::vector<ManifestEntry>& entries) {
  std::vector<std::string> json;
  for (const auto& e : entries) json.push_back(ToJson(e));
  return json;
}

TEST(Lake, ALargeReadTakesTheManifestsFromTheNewestSnapshotOfTheCommitLog) {
  TempDir dir;
  std::int64_t now = 1'700'000'000;
  LakeOptions options{[&] { return At(now++); }, nullptr};
  options.snapshot_after = 3;
  auto lake = Lake::OpenLocal(dir.path(), options);
  ASSERT_TRUE(lake);
  for (const char* b : {"b1", "b2", "b3", "b4"}) {
    ASSERT_TRUE((*lake)->Commit(Entry(b, "plays", fmt::format("silver/plays/{}.parquet", b))));
  }
  auto first = (*lake)->Entries("silver");  // four read one by one: a snapshot of them
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(Snapshots(**lake).size(), 1u);
  EXPECT_NE(Snapshots(**lake)[0].find("silver-000000000004-"), std::string::npos);

  // The snapshot's entries are used: the manifests it holds are not read
  // (damaged here, they would fail the read), the new ones are.
  for (const char* b : {"b1", "b2", "b3", "b4"}) {
    const auto path = dir.path() / ManifestKey("silver", b);
    std::filesystem::remove(path);
    std::ofstream(path) << "{damaged";
  }
  ASSERT_TRUE((*lake)->Commit(Entry("b5", "plays", "silver/plays/b5.parquet")));
  auto second = (*lake)->Entries("silver");
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->size(), 5u);
  std::vector<std::string> expected = AsJson(*first);
  auto b5 = (*lake)->Find("silver", "b5");
  ASSERT_TRUE(b5 && *b5);
  expected.push_back(ToJson(**b5));
  EXPECT_EQ(AsJson(*second), expected);
  // Reads of fewer batches than snapshot_after read the manifests.
  EXPECT_FALSE((*lake)->Read("silver", {"b1"}));
  EXPECT_EQ(Snapshots(**lake).size(), 1u);  // one read one by one: no new snapshot

  // A batch no longer listed is not returned, though the snapshot has it.
  std::filesystem::remove(dir.path() / ManifestKey("silver", "b1"));
  auto third = (*lake)->Entries("silver");
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(AsJson(*third), std::vector<std::string>(expected.begin() + 1, expected.end()));

  // Three more read one by one: a new snapshot of all seven, the older one removed.
  for (const char* b : {"b6", "b7", "b8"}) {
    ASSERT_TRUE((*lake)->Commit(Entry(b, "plays", fmt::format("silver/plays/{}.parquet", b))));
  }
  auto fourth = (*lake)->Entries("silver");
  ASSERT_TRUE(fourth) << fourth.error().message;
  EXPECT_EQ(fourth->size(), 7u);
  ASSERT_EQ(Snapshots(**lake).size(), 1u);
  EXPECT_NE(Snapshots(**lake)[0].find("silver-000000000007-"), std::string::npos);
  // Leftover removal keeps it (it is under _manifests/).
  ASSERT_TRUE((*lake)->RemoveLeftovers(std::chrono::seconds(0)));
  EXPECT_EQ(Snapshots(**lake).size(), 1u);
}

TEST(Lake, ASnapshotLargerThanOneReadIsParsedAcrossItsReads) {
  // Parsed as it is decompressed, 1 MiB at a time: entries span the reads.
  TempDir dir;
  LakeOptions options;
  options.durable = false;
  options.snapshot_after = 2000;
  auto lake = Lake::OpenLocal(dir.path(), options);
  ASSERT_TRUE(lake);
  for (int i = 0; i < 2000; ++i) {
    ManifestEntry e =
        Entry(fmt::format("b{:04}", i), "plays", fmt::format("silver/plays/{}.parquet", i));
    for (int k = 0; k < 40; ++k) e.stats[fmt::format("quarantine.reason_{:02}", k)] = i + k;
    ASSERT_TRUE((*lake)->Commit(std::move(e)));
  }
  auto first = (*lake)->Entries("silver");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(Snapshots(**lake).size(), 1u);
  {
    auto file = (*lake)->storage().Open(Snapshots(**lake)[0]);
    ASSERT_TRUE(file);
    ZstdReader reader(std::move(*file));
    std::vector<char> buffer(1 << 16);
    std::size_t bytes = 0;
    for (auto n = reader.Read(buffer.data(), buffer.size()); n && *n > 0;
         n = reader.Read(buffer.data(), buffer.size())) {
      bytes += *n;
    }
    EXPECT_GT(bytes, std::size_t{3} << 20);  // three reads' worth and more
  }
  for (const char* b : {"b0000", "b0999", "b1999"}) {
    const auto path = dir.path() / ManifestKey("silver", b);
    std::filesystem::remove(path);
    std::ofstream(path) << "{damaged";
  }
  auto again = (*lake)->Entries("silver");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(AsJson(*again), AsJson(*first));
}

TEST(Lake, ADamagedSnapshotIsPassedOverForTheManifests) {
  TempDir dir;
  LakeOptions options;
  options.snapshot_after = 2;
  auto lake = Lake::OpenLocal(dir.path(), options);
  ASSERT_TRUE(lake);
  for (const char* b : {"b1", "b2"}) {
    ASSERT_TRUE((*lake)->Commit(Entry(b, "plays", fmt::format("silver/plays/{}.parquet", b))));
  }
  ASSERT_TRUE((*lake)->storage().PublishIfAbsent(
      "_manifests/_snapshots/silver-000000000099-bad.zst", "not zstd"));
  auto entries = (*lake)->Entries("silver");
  ASSERT_TRUE(entries) << entries.error().message;
  EXPECT_EQ(entries->size(), 2u);
  // The one written then holds 2 entries: the damaged one, with more, stays newest.
  EXPECT_EQ(Snapshots(**lake).size(), 2u);
  auto again = (*lake)->Entries("silver");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(AsJson(*again), AsJson(*entries));
}

TEST(BatchId, DependsOnNameSizeContentAndUserOnly) {
  Checksum a;
  a.Update("hello ");
  a.Update("world");
  EXPECT_EQ(a.Hex(), Hash128Hex("hello world"));
  const auto id = FileBatchId("y.json", 11, a.Hex());
  EXPECT_EQ(id.size(), 24u);
  EXPECT_EQ(id, FileBatchId("y.json", 11, Hash128Hex("hello world")));
  EXPECT_NE(id, FileBatchId("z.json", 11, a.Hex()));
  EXPECT_NE(id, FileBatchId("y.json", 11, Hash128Hex("hello worle")));
  EXPECT_NE(id, FileBatchId("y.json", 11, a.Hex(), "alice"));
  EXPECT_NE(FileBatchId("y.json", 11, a.Hex(), "alice"), FileBatchId("y.json", 11, a.Hex(), "bob"));
}

TEST(Bronze, KeyIsHivePartitionedByIngestHour) {
  EXPECT_EQ(BronzeKey("web", "events", At(1'541'105'830), "b1", "n1", "jsonl"),
            "bronze/web/events/ingest_date=2018-11-01/hour=20/b1.n1.jsonl.zst");
}

TEST(Zstd, RoundTripsThroughStorage) {
  TempDir dir;
  LocalStorage storage(dir.path());
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "{\"event_id\":\"" + std::to_string(i) + "\"}\n";
  {
    auto file = storage.Create("b.zst");
    ASSERT_TRUE(file);
    ZstdWriter writer(**file, 1, 0);
    ASSERT_TRUE(writer.Append(std::string_view(text).substr(0, 1000)));
    ASSERT_TRUE(writer.Append(std::string_view(text).substr(1000)));
    ASSERT_TRUE(writer.Finish());
    ASSERT_TRUE((*file)->Close());
    EXPECT_LT((*file)->size(), text.size() / 4);
  }
  auto raw = storage.Open("b.zst");
  ASSERT_TRUE(raw);
  ZstdReader reader(std::move(*raw));
  std::string back;
  char buffer[4096];
  while (true) {
    auto n = reader.Read(buffer, sizeof buffer);
    ASSERT_TRUE(n);
    if (*n == 0) break;
    back.append(buffer, *n);
  }
  EXPECT_EQ(back, text);
}

}  // namespace
}  // namespace playlake::lake
