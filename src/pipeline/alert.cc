#include "pipeline/alert.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

namespace playlake::pipeline {
namespace {

// "https://hooks.example/services/T0/B0/secret" -> "hooks.example".
std::string HostOf(const std::string& url) {
  const auto start = url.find("://");
  const auto host = start == std::string::npos ? 0 : start + 3;
  return url.substr(host, url.find_first_of("/?#", host) - host);
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

// One POST. Returns the HTTP status, or the transport's error.
Result<long> PostOnce(const std::string& url, const std::string& body) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Fail(ErrorCode::kInternal, "libcurl could not start a request");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Discard);
  if (const CURLcode code = curl_easy_perform(curl.get()); code != CURLE_OK) {
    return Fail(ErrorCode::kIo, curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  return status;
}

}  // namespace

std::string LastRunStatus(const std::filesystem::path& history_file) {
  // The history grows by a line a run and is never rotated: read its end only.
  std::ifstream in(history_file, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff tail = std::min<std::streamoff>(size, 1 << 20);
  std::string text(static_cast<std::size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(text.data(), tail);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const auto run = nlohmann::json::parse(text.substr(text.rfind('\n') + 1), nullptr, false);
  return run.is_object() ? run.value("status", "") : "";
}

std::optional<nlohmann::json> AlertFor(const std::string& project, const RunRecord& run,
                                       const std::string& previous_status) {
  std::string event, text;
  if (run.status != "success") {
    event = "run_failed";
    text = fmt::format("Playlake {}: run {} failed: {}", project, run.run_id, run.error);
  } else if (!previous_status.empty() && previous_status != "success") {
    event = "run_recovered";
    text = fmt::format("Playlake {}: run {} succeeded after a failed run", project, run.run_id);
  } else {
    return std::nullopt;
  }
  return nlohmann::json{
      {"text", text}, {"event", event}, {"project", project}, {"run", ToJson(run)}};
}

Status PostWebhook(const std::string& url, const nlohmann::json& body) {
  const std::string text = body.dump();
  std::string problem;
  auto backoff = std::chrono::seconds(1);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto status = PostOnce(url, text);
    if (status && *status < 300) return {};
    problem = status ? fmt::format("it answered HTTP {}", *status) : status.error().message;
    const bool retry = !status || *status >= 500;
    if (!retry || attempt == 3) break;
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return Fail(ErrorCode::kIo, fmt::format("cannot deliver the alert to the webhook at {}: {}",
                                          HostOf(url), problem));
}

}  // namespace playlake::pipeline
