#include "s3/client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

namespace playlake::s3 {
namespace {

struct Response {
  long status = 0;
  std::string body;
  std::string etag;
  std::uint64_t content_length = 0;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* out) {
  auto* response = static_cast<Response*>(out);
  const std::string_view line(data, size * count);
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    if (name == "etag") response->etag = value;
    if (name == "content-length")
      response->content_length = std::strtoull(value.data(), nullptr, 10);
  }
  return size * count;
}

// The text of the first <tag>...</tag> in `xml` from `from`, entities decoded.
std::string Tag(std::string_view xml, std::string_view tag, std::size_t from = 0) {
  const std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  const std::size_t start = xml.find(open, from);
  if (start == std::string_view::npos) return "";
  const std::size_t end = xml.find(close, start);
  const std::string_view raw = xml.substr(start + open.size(), end - start - open.size());
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool decoded = false;
    for (const auto& [entity, c] : kEntities) {
      if (raw.substr(i).starts_with(entity)) {
        out += c;
        i += entity.size() - 1;
        decoded = true;
        break;
      }
    }
    if (!decoded) out += raw[i];
  }
  return out;
}

// S3's "2026-12-05T21:08:25.000Z"; the epoch when it is not that.
std::chrono::system_clock::time_point ParseS3Time(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return {};
  const std::chrono::sys_days day = std::chrono::year{y} / mo / d;
  return day + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(sec);
}

bool Retryable(long status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

}  // namespace

Result<Credentials> CredentialsFromEnv() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (id == nullptr || *id == '\0' || secret == nullptr || *secret == '\0') {
    return Fail(ErrorCode::kConfig,
                "S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
                "environment (never in playlake.yml)");
  }
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  return Credentials{id, secret, token == nullptr ? "" : token};
}

struct S3Client::State {
  S3Config config;
  std::string host;  // the endpoint's authority, signed as Host
  std::mutex random_mutex;
  std::mt19937_64 random{std::random_device{}()};

  std::chrono::milliseconds Backoff(int attempt) {
    const auto ceiling = config.first_backoff.count() << std::min(attempt, 16);
    std::lock_guard lock(random_mutex);
    return std::chrono::milliseconds(
        std::uniform_int_distribution<std::int64_t>(0, ceiling)(random));
  }

  // One signed exchange; a transport failure is Error{kIo}.
  Result<Response> Exchange(const std::string& method, std::string_view key, const Fields& query,
                            std::string_view body, const Fields& extra_headers) {
    HttpRequest request{
        method,
        key.empty() ? "/" + config.bucket : fmt::format("/{}/{}", config.bucket, key),
        query,
        {{"Host", host}},
        Sha256Hex(body)};
    for (const auto& header : extra_headers) request.headers.push_back(header);
    const SigningOptions options{
        .region = config.region,
        .service = "s3",
        .time = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
        .sign_content_sha256 = true};
    SignWithHeaders(request, config.credentials, options);

    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Fail(ErrorCode::kIo, "S3: could not start a libcurl handle");
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, fmt::format("{}: {}", name, value).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    headers = curl_slist_append(headers, "Content-Type:");
    const std::string url = config.endpoint + RequestTarget(request, options);
    Response response;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config.total_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
    if (method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    if (method == "PUT" || method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) {
      return Fail(ErrorCode::kIo,
                  fmt::format("S3 {} {}: {}", method, key, curl_easy_strerror(code)));
    }
    return response;
  }

  // Exchange() until an answer that is not retryable, `max_attempts` at most.
  Result<Response> Perform(const std::string& method, std::string_view key,
                           const Fields& query = {}, std::string_view body = {},
                           const Fields& extra_headers = {}) {
    Result<Response> last;
    for (int attempt = 1;; ++attempt) {
      last = Exchange(method, key, query, body, extra_headers);
      const bool retry = !last || Retryable(last->status);
      if (!retry || attempt >= config.max_attempts) break;
      std::this_thread::sleep_for(Backoff(attempt));
    }
    if (last && Retryable(last->status)) {
      return Fail(ErrorCode::kIo,
                  fmt::format("S3 {} {}: still {} after {} attempts ({})", method, key,
                              last->status, config.max_attempts, Tag(last->body, "Code")));
    }
    return last;
  }

  Error Refused(const std::string& method, std::string_view key, const Response& response) {
    if (response.status == 404) {
      return Error{ErrorCode::kNotFound,
                   fmt::format("S3: no object {} in bucket {}", key, config.bucket)};
    }
    return Error{ErrorCode::kIo,
                 fmt::format("S3 {} {}: {} {}: {}", method, key, response.status,
                             Tag(response.body, "Code"), Tag(response.body, "Message"))};
  }
};

Result<std::unique_ptr<S3Client>> S3Client::Create(S3Config config) {
  const std::size_t scheme = config.endpoint.find("://");
  if (scheme == std::string::npos || config.bucket.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("S3: the endpoint must be a URL such as http://127.0.0.1:9000 and a "
                            "bucket is needed (endpoint '{}', bucket '{}')",
                            config.endpoint, config.bucket));
  }
  while (config.endpoint.ends_with('/')) config.endpoint.pop_back();
  auto state = std::make_unique<State>();
  state->host = config.endpoint.substr(scheme + 3);
  state->config = std::move(config);
  return std::unique_ptr<S3Client>(new S3Client(std::move(state)));
}

S3Client::S3Client(std::unique_ptr<State> state) : state_(std::move(state)) {}
S3Client::~S3Client() = default;

Result<std::optional<std::string>> S3Client::Put(std::string_view key, std::string_view body,
                                                 PutOptions options) {
  Fields headers;
  if (options.if_absent) headers.emplace_back("If-None-Match", "*");
  if (!options.if_match.empty()) headers.emplace_back("If-Match", options.if_match);
  auto response = state_->Perform("PUT", key, {}, body, headers);
  if (!response) return tl::unexpected(response.error());
  const bool conditional = options.if_absent || !options.if_match.empty();
  // 404: If-Match on a key that is gone, as some stores answer it.
  if (conditional && (response->status == 412 || response->status == 404)) return std::nullopt;
  if (response->status != 200) return tl::unexpected(state_->Refused("PUT", key, *response));
  return std::move(response->etag);
}

Result<std::string> S3Client::Upload(std::string_view key, const std::filesystem::path& path,
                                     std::uint64_t part_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Fail(ErrorCode::kIo, fmt::format("S3 upload of {}: cannot read it", path.string()));
  const auto read_part = [&](std::string& part) {
    part.resize(part_size);
    in.read(part.data(), static_cast<std::streamsize>(part_size));
    part.resize(static_cast<std::size_t>(in.gcount()));
    return !in.bad();
  };
  std::string part;
  if (!read_part(part)) return Fail(ErrorCode::kIo, fmt::format("reading {}", path.string()));
  if (in.eof()) {  // the whole file fits one PUT
    auto put = Put(key, part);
    if (!put) return tl::unexpected(put.error());
    return std::move(**put);
  }

  auto started = state_->Perform("POST", key, {{"uploads", ""}});
  if (!started) return tl::unexpected(started.error());
  if (started->status != 200) return tl::unexpected(state_->Refused("POST", key, *started));
  const std::string upload_id = Tag(started->body, "UploadId");
  const auto abort = [&](Error error) -> Result<std::string> {
    // Best effort: a store that misses the abort drops the parts by its lifecycle rules.
    (void)AbortUpload(key, upload_id);
    return tl::unexpected(std::move(error));
  };
  std::string complete = "<CompleteMultipartUpload>";
  for (int number = 1;; ++number) {
    auto sent = state_->Perform(
        "PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}}, part);
    if (!sent) return abort(sent.error());
    if (sent->status != 200) return abort(state_->Refused("PUT part", key, *sent));
    complete +=
        fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", number, sent->etag);
    if (in.eof()) break;
    if (!read_part(part)) return abort(Error{ErrorCode::kIo, "reading " + path.string()});
    if (part.empty()) break;
  }
  complete += "</CompleteMultipartUpload>";
  auto done = state_->Perform("POST", key, {{"uploadId", upload_id}}, complete);
  if (!done) return abort(done.error());
  // S3 may answer 200 and put the error in the body.
  if (done->status != 200 || done->body.find("<Error>") != std::string::npos) {
    return abort(state_->Refused("POST complete", key, *done));
  }
  return Tag(done->body, "ETag");
}

Result<Object> S3Client::Get(std::string_view key) {
  auto response = state_->Perform("GET", key);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) return tl::unexpected(state_->Refused("GET", key, *response));
  if (response->content_length != 0 && response->body.size() != response->content_length) {
    return Fail(ErrorCode::kIo, fmt::format("S3 GET {}: {} bytes of {}", key, response->body.size(),
                                            response->content_length));
  }
  return Object{std::move(response->body), std::move(response->etag)};
}

Result<ObjectInfo> S3Client::Head(std::string_view key) {
  auto response = state_->Perform("HEAD", key);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) return tl::unexpected(state_->Refused("HEAD", key, *response));
  return ObjectInfo{std::string(key), response->content_length, response->etag, {}};
}

Status S3Client::Delete(std::string_view key) {
  auto response = state_->Perform("DELETE", key);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 204 && response->status != 200 && response->status != 404) {
    return tl::unexpected(state_->Refused("DELETE", key, *response));
  }
  return {};
}

Result<std::vector<ObjectInfo>> S3Client::List(std::string_view prefix) {
  std::vector<ObjectInfo> objects;
  std::string token;
  do {
    Fields query = {{"list-type", "2"}, {"prefix", std::string(prefix)}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    auto response = state_->Perform("GET", "", query);
    if (!response) return tl::unexpected(response.error());
    if (response->status != 200) return tl::unexpected(state_->Refused("LIST", prefix, *response));
    const std::string_view xml = response->body;
    for (std::size_t at = xml.find("<Contents>"); at != std::string_view::npos;
         at = xml.find("<Contents>", at + 1)) {
      objects.push_back({Tag(xml, "Key", at),
                         std::strtoull(Tag(xml, "Size", at).c_str(), nullptr, 10),
                         Tag(xml, "ETag", at), ParseS3Time(Tag(xml, "LastModified", at))});
    }
    token = Tag(xml, "IsTruncated") == "true" ? Tag(xml, "NextContinuationToken") : "";
  } while (!token.empty());
  return objects;
}

Result<std::vector<UploadInfo>> S3Client::ListUploads(std::string_view prefix) {
  std::vector<UploadInfo> uploads;
  std::string key_marker;
  std::string id_marker;
  do {
    Fields query = {{"uploads", ""}, {"prefix", std::string(prefix)}};
    if (!key_marker.empty()) {
      query.emplace_back("key-marker", key_marker);
      query.emplace_back("upload-id-marker", id_marker);
    }
    auto response = state_->Perform("GET", "", query);
    if (!response) return tl::unexpected(response.error());
    if (response->status != 200) {
      return tl::unexpected(state_->Refused("LIST uploads", prefix, *response));
    }
    const std::string_view xml = response->body;
    for (std::size_t at = xml.find("<Upload>"); at != std::string_view::npos;
         at = xml.find("<Upload>", at + 1)) {
      uploads.push_back(
          {Tag(xml, "Key", at), Tag(xml, "UploadId", at), ParseS3Time(Tag(xml, "Initiated", at))});
    }
    const bool truncated = Tag(xml, "IsTruncated") == "true";
    key_marker = truncated ? Tag(xml, "NextKeyMarker") : "";
    id_marker = truncated ? Tag(xml, "NextUploadIdMarker") : "";
  } while (!key_marker.empty());
  return uploads;
}

Status S3Client::AbortUpload(std::string_view key, std::string_view upload_id) {
  auto response = state_->Perform("DELETE", key, {{"uploadId", std::string(upload_id)}});
  if (!response) return tl::unexpected(response.error());
  if (response->status != 204 && response->status != 200 && response->status != 404) {
    return tl::unexpected(state_->Refused("DELETE upload", key, *response));
  }
  return {};
}

}  // namespace playlake::s3
