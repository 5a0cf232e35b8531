// playlake generate: the listening simulator (capability C1). The model lives
// in src/sim; this file parses and validates flags, wires signals and
// progress to stderr, and prints the summary line.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "sim/catalog_files.h"
#include "sim/civil_time.h"
#include "sim/generator.h"
#include "sim/sink.h"
#include "sim/world.h"
#include "stream/producer.h"

namespace playlake::cli {
namespace {

// Signal handlers may only touch a lock-free flag of this type; this is the
// one mutable global the command needs, and only the handler writes it.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void OnStopSignal(int signal) { g_stop_signal = signal; }

struct GenerateFlags {
  uint64_t seed = 42;
  uint32_t users = 1000;
  uint32_t tracks = 0;
  std::string start = "2026-01-05";
  std::string end = "2026-01-11";
  bool start_given = false;
  uint64_t events = 0;
  std::string format = "playlake";
  std::string out = "-";
  double dup_rate = 0, late_rate = 0, bad_rate = 0, unknown_field_rate = 0;
  double rate = 0;
  bool realtime = false;
  int threads = 0;
  std::string catalog_out;
  bool quiet = false;
  std::string kafka;  // bootstrap servers; empty: write to --out
  std::string topic;
  std::vector<std::string> kafka_properties;  // KEY=VALUE, passed to librdkafka
};

// Writes each generated line as one Kafka message keyed by its listener.
class KafkaSink final : public sim::Sink {
 public:
  explicit KafkaSink(std::unique_ptr<stream::Producer> producer) : producer_(std::move(producer)) {}
  Status StartDay(int64_t) override { return {}; }
  Status WriteParts(std::span<const std::string_view> parts) override {
    for (std::string_view part : parts) {
      while (!part.empty()) {
        const auto newline = part.find('\n');
        if (newline == std::string_view::npos) {
          partial_.append(part);
          break;
        }
        std::string_view line = part.substr(0, newline);
        if (!partial_.empty()) {
          partial_.append(line);
          line = partial_;
        }
        if (auto s = producer_->Send(stream::ListenerKey(line), line); !s) return s;
        partial_.clear();
        part.remove_prefix(newline + 1);
      }
    }
    return {};
  }
  Status Flush() override {
    producer_->Poll();
    return {};
  }
  Status Finish() override {
    if (!partial_.empty()) {
      if (auto s = producer_->Send(stream::ListenerKey(partial_), partial_); !s) return s;
      partial_.clear();
    }
    const stream::ProduceReport report = producer_->Finish(std::chrono::seconds(30));
    delivered_ = report.delivered;
    if (!report.ok()) {
      return Fail(
          ErrorCode::kIo,
          fmt::format("{} of {} messages were not delivered to {}: {}; check that the "
                      "brokers are up and the topic exists",
                      report.failed, report.sent, producer_->Describe(), report.first_error));
    }
    return {};
  }
  std::string Describe() const override {
    return fmt::format("{} ({} messages delivered)", producer_->Describe(), delivered_);
  }

 private:
  std::unique_ptr<stream::Producer> producer_;
  std::string partial_;
  std::int64_t delivered_ = 0;
};

Result<std::unique_ptr<sim::Sink>> OpenOutput(const GenerateFlags& flags) {
  if (flags.kafka.empty()) return sim::OpenSink(flags.out);
  if (flags.topic.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "--kafka needs --topic TOPIC");
  }
  if (flags.out != "-") {
    return Fail(ErrorCode::kInvalidArgument, "--kafka and --out are exclusive: pick one output");
  }
  stream::ProducerOptions options{flags.kafka, flags.topic, {}};
  for (const auto& property : flags.kafka_properties) {
    const auto eq = property.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("--kafka-property takes KEY=VALUE, not '{}'", property));
    }
    options.properties[property.substr(0, eq)] = property.substr(eq + 1);
  }
  auto producer = stream::Producer::Create(options);
  if (!producer) return tl::unexpected(producer.error());
  return std::unique_ptr<sim::Sink>(std::make_unique<KafkaSink>(std::move(*producer)));
}

std::string Human(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

Status Run(const GenerateFlags& flags) {
  auto start = sim::ParseDate(flags.start, "--start");
  if (!start) return tl::unexpected(start.error());
  auto end = sim::ParseDate(flags.end, "--end");
  if (!end) return tl::unexpected(end.error());
  if (flags.realtime && !flags.start_given) {
    // Live runs simulate "from today": the range only shapes who is active.
    const auto today = std::chrono::duration_cast<std::chrono::hours>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() /
                       24;
    *start = today;
    *end = today + 29;
  }
  if (*start > *end) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("--start {} is after --end {}; the range is inclusive, start <= end",
                            flags.start, flags.end));
  }
  if (flags.realtime != (flags.rate > 0)) {
    return Fail(ErrorCode::kInvalidArgument,
                "--rate and --realtime go together: pass both (e.g. --rate 1000 --realtime)");
  }

  sim::WorldOptions world_options;
  world_options.seed = flags.seed;
  world_options.users = flags.users;
  world_options.tracks = flags.tracks;
  world_options.start_day = *start;
  world_options.end_day = *end;
  const auto t0 = std::chrono::steady_clock::now();
  const auto world = sim::World::Build(world_options);
  spdlog::debug("world built in {:.2f}s: {} tracks, {} users",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                world->catalog().tracks().size(), world->population().users().size());

  if (!flags.catalog_out.empty()) {
    if (auto s = sim::WriteCatalogFiles(*world, flags.catalog_out); !s) return s;
  }

  sim::GenerateOptions options;
  options.plays = flags.events;
  options.format =
      flags.format == "eventsim" ? sim::OutputFormat::kEventsim : sim::OutputFormat::kPlaylake;
  options.threads = flags.threads > 0
                        ? flags.threads
                        : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.faults = {flags.dup_rate, flags.late_rate, flags.bad_rate, flags.unknown_field_rate};
  options.realtime = flags.realtime;
  options.rate = flags.rate;

  auto sink = OpenOutput(flags);
  if (!sink) return tl::unexpected(sink.error());

  sim::GenerateHooks hooks;
  if (!flags.quiet) {
    hooks.progress = [](const sim::GenerateStats& s) {
      spdlog::info("generate: {} plays, {} lines, {} plays/s, {}B written",
                   Human(static_cast<double>(s.plays)), Human(static_cast<double>(s.lines)),
                   Human(static_cast<double>(s.plays) / s.seconds),
                   Human(static_cast<double>(s.bytes)));
    };
  }
  if (flags.realtime) {
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    hooks.stop_requested = [] { return g_stop_signal != 0; };
  }
  auto stats = sim::Generate(*world, options, **sink, hooks);
  if (!stats) return tl::unexpected(stats.error());
  const double seconds = std::max(stats->seconds, 1e-6);
  spdlog::info(
      "generated {} plays{} in {:.2f}s ({} plays/s, {:.1f} MB/s, {} threads) -> {}; faults: {} "
      "duplicates, {} late, "
      "{} malformed, {} unknown-field",
      stats->plays,
      stats->page_views ? fmt::format(" + {} page views", stats->page_views) : std::string(),
      seconds, Human(static_cast<double>(stats->plays) / seconds),
      static_cast<double>(stats->bytes) / 1e6 / seconds, options.threads, (*sink)->Describe(),
      stats->faults.duplicates, stats->faults.late, stats->faults.malformed,
      stats->faults.unknown_fields);
  return {};
}

}  // namespace

void AddGenerateCommand(CLI::App& app, CommandBody& selected) {
  auto* cmd = app.add_subcommand(
      "generate",
      "Simulate listening: a catalog, listeners around the world, sessions with daily and weekly "
      "rhythm,\n"
      "trending releases, skips and plan changes. Writes Playlake NDJSON (docs/event-contract.md) "
      "or\n"
      "eventsim/Sparkify logs, optionally with duplicates, late events, malformed lines and "
      "unknown fields.\n"
      "Same flags and seed => byte-identical output, whatever --threads. See docs/simulator.md.");
  auto f = std::make_shared<GenerateFlags>();
  auto rate01 = CLI::Range(0.0, 1.0);
  cmd->add_option("--seed", f->seed, "Random seed; the output is a pure function of the flags")
      ->capture_default_str();
  cmd->add_option("--users", f->users,
                  "Number of listeners (some join and some leave during the range)")
      ->check(CLI::Range(1u, 20'000'000u))
      ->capture_default_str();
  cmd->add_option("--tracks", f->tracks, "Catalog size in tracks (0: 4 per user, 2,000 to 200,000)")
      ->check(CLI::Range(0u, 5'000'000u))
      ->capture_default_str();
  cmd->add_option("--start", f->start, "First day, YYYY-MM-DD (UTC, 2020-2037)")
      ->each([f](const std::string&) { f->start_given = true; })
      ->capture_default_str();
  cmd->add_option("--end", f->end, "Last day, YYYY-MM-DD, inclusive")->capture_default_str();
  cmd->add_option(
         "--events", f->events,
         "Exact number of distinct plays, spread over the range (faults come on top); 0: volume "
         "follows "
         "--users (~15 plays per active listener a day); in real time, stop after this many")
      ->check(CLI::Range(uint64_t{0}, uint64_t{100'000'000'000}))
      ->capture_default_str();
  cmd->add_option("--format", f->format,
                  "playlake (NDJSON play events) or eventsim (Sparkify logs with page views)")
      ->check(CLI::IsMember({"playlake", "eventsim"}))
      ->capture_default_str();
  cmd->add_option(
         "--out", f->out,
         "'-' for stdout; an existing folder or a path ending in '/' for one file per UTC day "
         "(events-YYYY-MM-DD.jsonl); otherwise one file. Files appear atomically when complete")
      ->capture_default_str();
  cmd->add_option("--dup-rate", f->dup_rate,
                  "Share of plays re-sent byte-identical a few lines later, 0-1")
      ->check(rate01)
      ->capture_default_str();
  cmd->add_option("--late-rate", f->late_rate,
                  "Share of plays delivered 1 hour to 3 days late (out of order), 0-1")
      ->check(rate01)
      ->capture_default_str();
  cmd->add_option("--bad-rate", f->bad_rate,
                  "Extra malformed lines per play (truncated JSON, invalid UTF-8, wrong types, "
                  "missing fields, "
                  "binary garbage), 0-1")
      ->check(rate01)
      ->capture_default_str();
  cmd->add_option("--unknown-field-rate", f->unknown_field_rate,
                  "Share of lines with an extra unknown field, 0-1")
      ->check(rate01)
      ->capture_default_str();
  cmd->add_option("--rate", f->rate, "Real time: lines per second (with --realtime)")
      ->check(CLI::Range(0.0, 10'000'000.0));
  cmd->add_flag(
      "--realtime", f->realtime,
      "Emit live events stamped with the wall clock at --rate until --events or Ctrl-C/SIGTERM");
  cmd->add_option("--threads", f->threads,
                  "Generator threads (0: one per core); never changes the output")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option(
      "--catalog-out", f->catalog_out,
      "Also write artists.jsonl, albums.jsonl, tracks.jsonl and users.jsonl to this folder");
  cmd->add_option("--kafka", f->kafka,
                  "Produce the lines to Kafka instead of --out: bootstrap servers, e.g. "
                  "127.0.0.1:9092 (idempotent producer, key = listener; an undelivered message "
                  "fails the command). See docs/streaming.md");
  cmd->add_option("--topic", f->topic, "Kafka topic for --kafka");
  cmd->add_option("--kafka-property", f->kafka_properties,
                  "librdkafka property KEY=VALUE for --kafka (repeatable; SASL, TLS, "
                  "message.timeout.ms, ...)");
  cmd->add_flag("--quiet", f->quiet, "No progress lines on stderr (the summary line stays)");
  cmd->callback([&selected, f] { selected = [f] { return Run(*f); }; });
}

}  // namespace playlake::cli
