// The stream figures of a Kafka source (stream/stream_figures.h) as
// `playlake serve` answers them: Prometheus text for /metrics and the JSON of
// /api/stream, which the Pipeline page's Stream panel draws
// (docs/streaming.md, "Monitoring"). Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "stream/stream_figures.h"

namespace playlake::serve {

// playlake_stream_* series: brokers answering, per partition the committed
// and end offsets, lag, events landed and last commit time; overall lag,
// events per second and last commit time. Figures the brokers did not give
// (end offsets, lag) are left out, not written as 0.
std::string StreamMetricsText(const stream::StreamFigures& figures);

// {"available": true, "source", "topics", "brokers": {"answered", "error"},
//  "events_per_second", "window_seconds", "last_commit_at", "lag",
//  "partitions": [{"topic", "partition", "committed_offset", "end_offset",
//  "lag", "landed_events", "last_commit_at"}]}; times are RFC 3339 UTC, an
// unknown figure is null.
nlohmann::json StreamFiguresJson(const stream::StreamFigures& figures);

}  // namespace playlake::serve
